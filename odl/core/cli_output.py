"""Shared helpers for ``odl`` commands: formats, progress bars, writing to a file or stdout, dates."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from odl.core import exports

TABLE_FORMATS = ("table", "csv", "json", "xlsx", "ods")


def write_table(
    stdout: OutputWrapper,
    fmt: str,
    header: Sequence[str],
    rows: list[list[Any]],
    output: str | None,
    delimiter: str = ",",
    json_rows: list[dict[str, Any]] | None = None,
) -> None:
    """Write rows in the asked format; binary formats need --output."""
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(*header, show_lines=False)
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                Console(file=handle, width=200).print(table)
        else:
            Console(file=sys.stdout, width=200).print(table)
        return
    if fmt == "json":
        payload = json_rows if json_rows is not None else [dict(zip(header, r, strict=True)) for r in rows]
        data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    elif fmt == "csv":
        data = exports.to_csv(header, rows, delimiter=delimiter)
        if not output:
            data = data.removeprefix("\ufeff".encode())
    elif fmt in ("xlsx", "ods"):
        if not output:
            raise CommandError(
                f"Le format {fmt} est binaire : indiquez un fichier avec --output.", returncode=2
            )
        data = exports.render(fmt, header, rows)
    else:
        raise CommandError(f"Format inconnu : {fmt}. Formats : {', '.join(TABLE_FORMATS)}.", returncode=2)
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr; a no-op callback when disabled (tests, pipes)."""
    if not enabled or not sys.stderr.isatty():
        yield lambda stage, done, total: None
        return
    from rich.progress import BarColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}")
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def parse_date_option(value: str | None) -> dt.date | None:
    """A command's AAAA-MM-JJ option, refused in French (exit code 2) when it is not one."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date « {value} » invalide : attendu AAAA-MM-JJ.", returncode=2) from exc
