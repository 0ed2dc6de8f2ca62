"""The validation engine: the batch loop. Every rule lives in ``odl.schemas.checks``.

The file is read in bounded batches (``reading``). Each batch goes through the table checks of the
``rows`` phase (blank and ragged rows), then each column through the field rules (stage by stage:
required on every cell, the type on the non-missing ones, the constraints on the well-typed ones), then
the schema's Validata custom checks, then the ``table`` checks (primary key, référentiel). Errors are
gathered as small frames; counts are always exact, while the list of detailed errors can be capped
(``max_errors``). Everything is vectorised with polars; the few values the fast expressions cannot
settle are checked one by one with the exact frictionless rule, on distinct values only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from odl.schemas.checks import registry
from odl.schemas.checks.base import Batch, Column, FieldRule, Table, TableCheck, errors
from odl.schemas.checks.custom import CustomChecks
from odl.schemas.checks.labels import HeaderRow, header_place, header_score, match_header
from odl.schemas.coverage import unapplied
from odl.schemas.messages import explain
from odl.schemas.reading import CHUNK_BYTES, TableReader, open_table
from odl.schemas.registry import Schema
from odl.schemas.report import Report, ValidationError

Progress = Callable[[str, int, int], None]
# Sees every batch as read, before any check (the safe-fixes writer uses it to work in the same pass).
BatchTap = Callable[[pl.DataFrame], None]


class FieldChecks:
    """The field rules of one schema field, bound to the file column that holds it."""

    def __init__(self, column: Column, record_validity: bool) -> None:
        self.column = column
        self.rules: list[FieldRule] = [
            rule for kind in registry.field_rules if (rule := kind.bind(column)) is not None
        ]
        # Custom checks get None for a cell of the wrong type; plain strings are never of the wrong type.
        self.record_validity = record_validity and (column.kind != "string" or column.format != "default")

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        out: list[pl.DataFrame] = []
        name = self.column.name
        data = batch.frame.select(pl.col("_row"), pl.col(self.column.source).alias("v"))
        data = data.filter(pl.col("v").is_not_null())  # absent cells are reported as missing-cell
        cells = data
        for stage in ("cell", "type", "value"):
            if stage == "type":
                cells = cells.filter(~cells["v"].is_in(self.column.missing))
            if cells.height == 0:
                break
            for rule in self.rules:
                if rule.stage != stage:
                    continue
                bad = rule.bad(cells["v"])
                # Most rules find nothing: no error frame is built then (on a small file, each frame
                # operation costs more than the check itself). A null in ``bad`` drops its cell from
                # the well-typed ones, as filtering on ``~bad`` does.
                found = bad.any()
                if found:
                    out.append(errors(cells.filter(bad), name, rule.code, str(rule.rule)))
                if stage == "type" and (found or bad.null_count()):
                    cells = cells.filter(~bad)
        if self.record_validity:
            # Whatever stage it stopped at, ``cells`` now holds exactly the well-typed cells.
            # ``implode``: polars deprecated ``is_in`` with a Series of the column's own type, whose
            # meaning changes in a later release (found by tests/schemas/test_fuzz_validation.py).
            batch.valid[name] = batch.frame["_row"].is_in(cells["_row"].implode())
        return out


class Validator:
    """Validate one file against one schema; ``run`` returns the report."""

    def __init__(
        self,
        schema: Schema,
        max_errors: int | None = None,
        progress: Progress | None = None,
        referentiel: bool = True,
        chunk_bytes: int | None = None,
        keep_per_group: int | None = None,
    ) -> None:
        self.chunk_bytes = chunk_bytes
        self.keep_per_group = keep_per_group
        self.schema = schema
        self.ts = schema.table_schema
        self.fields = [f for f in self.ts.get("fields", []) if isinstance(f, dict)]
        self.missing = [str(x) for x in self.ts.get("missingValues", [""])]
        pk = self.ts.get("primaryKey") or []
        self.pk = [pk] if isinstance(pk, str) else list(pk)
        self.max_errors = max_errors
        self.progress = progress
        self.use_referentiel = referentiel

    def run(self, path: Path, display_name: str | None = None) -> Report:
        reader = open_table(path, display_name, self.chunk_bytes or CHUNK_BYTES)
        try:
            return self.run_reader(reader)
        finally:
            reader.close()

    def locate_header(self, reader: TableReader) -> None:
        """Move the reader to the real header when title rows sit above it, or the data is on another
        sheet; before the first batch, once (the corrected copy is written from the same place)."""
        if reader.located:
            return
        reader.located = True
        current = reader.leading_rows()
        candidates: list[tuple[str | None, list[list[str]]]] = [(reader.sheets()[0], current)]
        # Other sheets are opened only when the current one does not hold most of the schema's columns.
        best_here = max((header_score(row, self.fields) for row in current), default=0)
        if best_here * 2 < len(self.fields):
            candidates += [(sheet, reader.leading_rows(sheet)) for sheet in reader.sheets()[1:]]
        place = header_place(candidates, self.fields)
        if place is not None:
            sheet, index = place
            reader.start_at(index, sheet if sheet != candidates[0][0] else None)

    def run_reader(self, reader: TableReader, tap: BatchTap | None = None) -> Report:
        """Validate an opened file (the caller closes it); ``tap`` sees every batch as read."""
        started = time.perf_counter()
        self.locate_header(reader)
        report = Report(
            schema=self.schema.ref(),
            file=reader.info.as_dict(),
            max_errors=self.max_errors,
            keep_per_group=self.keep_per_group,
        )
        if reader.header_row > 1:
            report.add_structure(HeaderRow.code, None, None, None, "error", str(reader.header_row))
        report.notes.extend(unapplied(self.ts))
        mapping = match_header(reader.header, self.fields, self.pk, report)
        table = Table(
            fields=self.fields,
            labels=reader.header,
            mapping=mapping,
            missing=self.missing,
            primary_key=self.pk,
            custom_specs=[s for s in self.ts.get("custom_checks", []) if isinstance(s, dict)],
            report=report,
            use_referentiel=self.use_referentiel,
            collectivite=self.schema.collectivite,
            file_format=reader.info.format,
        )
        self._body(reader, table, report, tap)
        # The reader may learn while reading (a body that is not the encoding its start announced).
        report.file = reader.info.as_dict()
        report.finish(time.perf_counter() - started, self._explainer())
        return report

    def _explainer(self) -> Callable[[ValidationError], str]:
        by_name = {f["name"]: f for f in self.fields}
        examples = self.schema.examples

        def message(error: ValidationError) -> str:
            field = by_name.get(error.column or "")
            return explain(
                error.code,
                error.rule,
                error.column,
                error.value,
                field,
                examples,
                error.detail,
                error.position,
                self.missing,
            )

        return message

    def _columns(self, table: Table) -> list[Column]:
        columns = []
        for f in self.fields:
            if f["name"] not in table.mapping:
                continue
            constraints = dict(f.get("constraints", {}))
            if f["name"] in self.pk:
                constraints.setdefault("required", True)
            columns.append(Column(f, table.mapping[f["name"]], self.missing, constraints))
        return columns

    def _body(self, reader: TableReader, table: Table, report: Report, tap: BatchTap | None) -> None:
        bound: list[TableCheck] = [c for kind in registry.table_checks if (c := kind.bind(table)) is not None]
        before = [c for c in bound if c.phase == "rows"]
        after = [c for c in bound if c.phase == "table"]
        customs = CustomChecks.bind(table)
        fields = [FieldChecks(column, customs.wants_validity()) for column in self._columns(table)]
        rows = 0
        for frame in reader.batches():
            if tap is not None:
                tap(frame)
            rows += frame.height
            batch = Batch(frame)
            for check in before:
                self._add(report, check.check(batch), check.severity)
            for field_checks in fields:
                self._add(report, field_checks.check(batch))
            self._add(report, customs.check(batch))
            for check in after:
                self._add(report, check.check(batch), check.severity)
            if self.progress:
                done, total = reader.progress()
                self.progress("Validation", done, total)
        report.rows = rows
        for check in bound:
            check.finish(report)

    @staticmethod
    def _add(report: Report, frames: Any, severity: str = "error") -> None:
        for frame in frames:
            report.add_frame(frame, severity=severity)


def validate(
    path: Path,
    schema: Schema,
    max_errors: int | None = None,
    progress: Progress | None = None,
    display_name: str | None = None,
    referentiel: bool = True,
    chunk_bytes: int | None = None,
) -> Report:
    validator = Validator(schema, max_errors, progress, referentiel, chunk_bytes)
    return validator.run(path, display_name)


__all__ = ["Validator", "validate"]
