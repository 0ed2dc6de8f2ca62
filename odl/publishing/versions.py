"""Publishing a version and comparing two versions row by row and cell by cell.

Rows are matched by the schema's primary key when it has one. Without one, identical rows are
unchanged; the rows left on each side are paired in their order and a pair sharing at least half its
filled cells is a changed row, the others are added or removed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from odl.publishing.models import Dataset, DatasetVersion
from odl.schemas.registry import Schema

DIFF_EXAMPLES = 50


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


def parse_csv(data: bytes) -> Table:
    text = data.decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        return Table([], [])
    return Table(records[0], records[1:])


def read_version(version: DatasetVersion) -> Table:
    with version.file.open("rb") as handle:
        return parse_csv(handle.read())


def _aligned(table: Table, header: Sequence[str]) -> list[tuple[str, ...]]:
    width = len(header)
    if list(table.header) == list(header) and all(len(row) == width for row in table.rows):
        # The usual case (same columns, full rows): each row as it is, without a lookup per cell.
        return list(map(tuple, table.rows))
    index = {name: i for i, name in enumerate(table.header)}
    picks = [index.get(name, -1) for name in header]
    return [tuple(row[i] if 0 <= i < len(row) else "" for i in picks) for row in table.rows]


def diff(old: Table, new: Table, primary_key: Sequence[str] = ()) -> dict[str, Any]:
    header = list(new.header) + [h for h in old.header if h not in new.header]
    before, after = _aligned(old, header), _aligned(new, header)
    added: list[tuple[str, ...]] = []
    removed: list[tuple[str, ...]] = []
    changed: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    key_cols = [header.index(k) for k in primary_key if k in header]
    if key_cols and len(key_cols) == len(primary_key):
        old_by_key = {tuple(r[i] for i in key_cols): r for r in before}
        new_keys = set()
        for row in after:
            k = tuple(row[i] for i in key_cols)
            new_keys.add(k)
            previous = old_by_key.get(k)
            if previous is None:
                added.append(row)
            elif previous != row:
                changed.append((previous, row))
        removed = [r for k, r in old_by_key.items() if k not in new_keys]
    else:
        common = Counter(before) & Counter(after)
        only_old, only_new = _beyond(before, common), _beyond(after, common)
        for a, b in zip(only_old, only_new, strict=False):
            # Cells empty on both sides say nothing about two rows being the same record.
            filled = sum(1 for x, y in zip(a, b, strict=True) if x or y)
            same = sum(1 for x, y in zip(a, b, strict=True) if x and x == y)
            if same * 2 > filled:
                changed.append((a, b))
            else:
                removed.append(a)
                added.append(b)
        removed.extend(only_old[len(only_new) :])
        added.extend(only_new[len(only_old) :])
    return {
        "header": header,
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
        "columns_added": [h for h in new.header if h not in old.header],
        "columns_removed": [h for h in old.header if h not in new.header],
        "examples": {
            "added": [list(r) for r in added[:DIFF_EXAMPLES]],
            "removed": [list(r) for r in removed[:DIFF_EXAMPLES]],
            "changed": [
                {
                    "row": list(b),
                    "cells": [
                        {"field": header[i], "old": x, "new": y}
                        for i, (x, y) in enumerate(zip(a, b, strict=True))
                        if x != y
                    ],
                }
                for a, b in changed[:DIFF_EXAMPLES]
            ],
        },
    }


def _beyond(rows: list[tuple[str, ...]], common: Counter[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The rows of one side that the other side does not have as many times."""
    seen: Counter[tuple[str, ...]] = Counter()
    left = []
    for row in rows:
        if seen[row] < common[row]:
            seen[row] += 1
        else:
            left.append(row)
    return left


@transaction.atomic
def publish(
    dataset: Dataset,
    data: bytes,
    schema: Schema,
    *,
    by: Any,
    valid: bool,
    errors: int = 0,
    warnings: int = 0,
    note: str = "",
    restored_from: int | None = None,
) -> DatasetVersion:
    """Write a new immutable version from ``data`` (the table as UTF-8 CSV, schema fields as header)."""
    # Only the dataset's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
    # join to the latest version (none before the first publication).
    locked = (
        Dataset.objects.select_for_update(of=("self",))
        .select_related("etd__atd", "latest")
        .get(pk=dataset.pk)
    )
    previous = locked.latest
    new_table = parse_csv(data)
    changes = diff(
        read_version(previous) if previous else Table(new_table.header, []),
        new_table,
        schema.table_schema.get("primaryKey") or (),
    )
    number = (previous.number if previous else 0) + 1
    by_atd = bool(by is not None and by.is_authenticated and acts_for_atd(by, locked))
    version = DatasetVersion(
        dataset=locked,
        number=number,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=len(new_table.rows),
        schema_version=schema.version,
        valid=valid,
        errors=errors,
        warnings=warnings,
        created_by=by if by is not None and by.is_authenticated else None,
        by_atd=by_atd,
        created_at=timezone.now(),
        note=note[:300],
        restored_from=restored_from,
        diff=changes,
    )
    version.file.save(f"{locked.pk}-v{number}.csv", ContentFile(data), save=False)
    version.save()
    locked.latest = version
    locked.save(update_fields=["latest", "updated_at"])
    dataset.latest = version
    return version


def acts_for_atd(user: Any, dataset: Dataset) -> bool:
    """True when the publisher is not an agent of the collectivité: its ATD's team or a coordinator."""
    from odl.accounts.models import EtdAgent

    return not EtdAgent.objects.filter(
        user=user, territory_id=dataset.etd.territory_id, atd_id=dataset.etd.atd_id
    ).exists()
