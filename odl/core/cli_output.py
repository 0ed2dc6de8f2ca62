"""Shared helpers for ``odl`` commands: formats, progress bars, writing to a file or stdout, dates."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from odl.core import exports

if TYPE_CHECKING:
    from django.core.management.base import OutputWrapper

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
            buffer = io.StringIO()
            Console(file=buffer, width=200).print(table)
            write_output(output, buffer.getvalue().encode("utf-8"))
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
            _refuse(f"Le format {fmt} est binaire : indiquez un fichier avec --output.")
        data = exports.render(fmt, header, rows)
    else:
        _refuse(f"Format inconnu : {fmt}. Formats : {', '.join(TABLE_FORMATS)}.")
    if output:
        write_output(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def write_output(output: str | Path, data: bytes) -> None:
    """Write a command's --output file; a missing folder or a refused write is a French error (code 2)."""
    path = Path(output)
    if not path.parent.is_dir():
        _refuse(
            f"Le dossier « {path.parent} » n'existe pas : créez-le ou choisissez un autre fichier --output."
        )
    try:
        path.write_bytes(data)
    except OSError as exc:
        _refuse(f"Impossible d'écrire « {path} » : {exc.strerror or exc}.")


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


# Dates of the open-data programme: the law of 2016 and a few decades after it (year 1 and 9999 are typos).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def parse_date_option(
    value: str | None, *, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE
) -> dt.date | None:
    """A command's AAAA-MM-JJ option, refused in French (exit code 2) when it is not one or is absurd."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        _refuse(f"Date « {value} » invalide : attendu AAAA-MM-JJ.")
    if not earliest <= day <= latest:
        _refuse(
            f"Date « {value} » refusée : elle doit être comprise entre le {earliest:%d/%m/%Y} "
            f"et le {latest:%d/%m/%Y}."
        )
    return day


def _refuse(message: str) -> NoReturn:
    """A command's French refusal (exit code 2). Django's command module is imported here, on refusal
    only: ``odl validate`` starts without it (odl/core/programs.py)."""
    from django.core.management.base import CommandError

    raise CommandError(message, returncode=2)
