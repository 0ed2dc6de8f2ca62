"""One way to validate a file, for every door: the web page, the API, ``odl validate`` and the checks
after a harvest. The file is read once: the header (to choose the schema when asked), the batches the
checks see, and the corrected copy written from those same batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odl.schemas.engine import Progress, Validator
from odl.schemas.fixes import MAX_LISTED_CHANGES, SafeFixes
from odl.schemas.reading import CHUNK_BYTES, NO_LIMITS, ShapeLimits, TableReader, open_table
from odl.schemas.registry import Schema, SchemaNotFound
from odl.schemas.report import Report

# The schema itself, or how to choose it from the file's header (the web page's « auto »).
SchemaChoice = Schema | Callable[[list[str]], Schema]


@dataclass(frozen=True)
class ValidationResult:
    """What a validation found, typed; ``as_dict()`` is the report described by report.schema.json."""

    schema: Schema
    valid: bool
    rows: int
    errors: int
    warnings: int
    counts: dict[str, int]
    details: list[dict[str, Any]]
    truncated: bool
    # Safe corrections, the first ``fixes.MAX_LISTED_CHANGES`` of ``corrections_total``; empty without ``fix``.
    corrections: list[dict[str, Any]]
    corrections_total: int
    remarks: list[str]
    report: Report

    def as_dict(self) -> dict[str, Any]:
        return self.report.to_dict()


def _choose(choose: Callable[[list[str]], Schema], reader: TableReader) -> Schema:
    """The schema chosen from the header; from a lower row when the first one (a title) names nothing,
    or from another sheet's rows when the sheet read holds none (a workbook whose first sheet is a notice)."""
    try:
        return choose(reader.header)
    except SchemaNotFound:
        for sheet in reader.sheets():
            for row in reader.leading_rows(sheet):
                try:
                    return choose(row)
                except SchemaNotFound:
                    continue
        raise


def validate_file(
    path: Path,
    schema: SchemaChoice,
    *,
    fix: Path | None = None,
    max_errors: int | None = None,
    progress: Progress | None = None,
    referentiel: bool = True,
    display_name: str | None = None,
    chunk_bytes: int | None = None,
    limits: ShapeLimits = NO_LIMITS,
    changes: Path | None = None,
    max_listed_changes: int | None = None,
    keep_per_group: int | None = None,
) -> ValidationResult:
    """Validate ``path``; with ``fix``, write the corrected copy there in the same pass.

    ``keep_per_group`` bounds the errors held per group (counts stay exact); ``limits`` are the shapes
    the door accepts; ``changes`` receives the list of every correction as CSV,
    while the report lists at most ``max_listed_changes`` of them.

    Raises ``UnreadableFile`` (the file) and whatever ``schema`` raises when it chooses (``SchemaNotFound``),
    both with a French message.
    """
    reader = open_table(path, display_name, chunk_bytes or CHUNK_BYTES, limits)
    try:
        chosen = schema if isinstance(schema, Schema) else _choose(schema, reader)
        validator = Validator(chosen, max_errors, progress, referentiel, chunk_bytes, keep_per_group)
        validator.locate_header(reader)
        fixes = (
            SafeFixes(
                chosen,
                reader.header,
                reader.info,
                fix,
                changes=changes,
                max_listed=MAX_LISTED_CHANGES if max_listed_changes is None else max_listed_changes,
            )
            if fix is not None
            else None
        )
        try:
            report = validator.run_reader(reader, tap=fixes.feed if fixes else None)
        except BaseException:
            if fixes is not None:
                fixes.discard()
            raise
    finally:
        reader.close()
    fixed = fixes.close() if fixes is not None else None
    if fixed is not None:
        report.fixes = fixed.changes
        report.fixes_total = fixed.total
    data = report.to_dict()
    summary = data["resume"]
    return ValidationResult(
        schema=chosen,
        valid=bool(data["valide"]),
        rows=int(summary["lignes"]),
        errors=int(summary["erreurs"]),
        warnings=int(summary["avertissements"]),
        counts=dict(summary["par_code"]),
        details=list(data["erreurs"]),
        truncated=bool(data["tronque"]),
        corrections=fixed.changes if fixed else [],
        corrections_total=fixed.total if fixed else 0,
        remarks=list(data["remarques"]),
        report=report,
    )
