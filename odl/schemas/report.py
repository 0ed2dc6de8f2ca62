"""One report for every door (CLI, web, API): summary, errors grouped by column and rule, the detail.

The JSON shape is described by ``report.schema.json`` beside this file (a test validates real reports
against it). ``FORMAT_VERSION`` changes when that shape changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from odl.schemas.checks import registry

FORMAT_VERSION = 1
EXAMPLES_PER_GROUP = 5
# A 2 MB cell must not make a 2 MB report: values are cut, the message says how long they were.
MAX_VALUE_CHARS = 200
# The columns of every frame of cell errors (``severity`` is added when errors and warnings are joined).
ERROR_COLUMNS: dict[str, type[pl.DataType]] = {
    "row": pl.Int64,
    "column": pl.String,
    "code": pl.String,
    "rule": pl.String,
    "value": pl.String,
    "detail": pl.String,
}


@dataclass
class ValidationError:
    code: str
    rule: str
    row: int | None
    column: str | None
    value: str | None
    severity: str = "error"
    detail: str = ""
    position: int | None = None
    message: str = ""

    def category(self) -> str:
        if self.row is None:
            return "structure"
        if self.column is None or registry.category(self.code) == "row":
            return "ligne"
        return "cellule"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ligne": self.row,
            "colonne": self.column,
            "position": self.position,
            "code": self.code,
            "regle": self.rule,
            "valeur": self.value,
            "gravite": self.severity,
            "categorie": self.category(),
            "message": self.message,
        }


@dataclass
class Report:
    schema: dict[str, str]
    file: dict[str, Any]
    max_errors: int | None = None
    rows: int = 0
    columns: int = 0
    structure: list[ValidationError] = field(default_factory=list)
    frames: list[pl.DataFrame] = field(default_factory=list)
    warning_frames: list[pl.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration: float = 0.0
    fixes: list[dict[str, Any]] = field(default_factory=list)
    # Every safe correction, when ``fixes`` lists only the first ones.
    fixes_total: int | None = None
    # The web doors keep at most this many errors per group (column, rule, severity) and count the
    # rest: a file with millions of errors then holds a few thousand rows, not millions (the counts,
    # groups and the first errors are the same; None keeps every error, as the CLI does).
    keep_per_group: int | None = None
    _counts: dict[tuple[str | None, str, str, str], int] = field(default_factory=dict)
    _result: dict[str, Any] | None = None

    def add_structure(
        self,
        code: str,
        column: str | None,
        value: str | None,
        position: int | None,
        severity: str,
        detail: str = "",
    ) -> None:
        self.structure.append(
            ValidationError(
                code, code, None, column, value, severity=severity, detail=detail, position=position
            )
        )

    def add_frame(self, frame: pl.DataFrame, severity: str = "error") -> None:
        if not frame.height:
            return
        if self.keep_per_group is not None:
            frame = self._count_and_cut(frame, severity)
            if not frame.height:
                return
        # Filtered strings are views into the whole chunk's buffers: copying the few error rows
        # lets each chunk be freed, which keeps memory bounded on files of any length.
        copy = pl.DataFrame(frame.to_dict(as_series=False), schema=frame.schema)
        (self.warning_frames if severity == "warning" else self.frames).append(copy)

    def add_one(self, row: int, column: str | None, code: str, rule: str, value: str | None) -> None:
        self.add_frame(
            pl.DataFrame(
                {
                    "row": [row],
                    "column": [column],
                    "code": [code],
                    "rule": [rule],
                    "value": [value],
                    "detail": [None],
                },
                schema=ERROR_COLUMNS,
            )
        )

    def _count_and_cut(self, frame: pl.DataFrame, severity: str) -> pl.DataFrame:
        """Count every error of ``frame`` by group; keep only the rows a group still has room for."""
        assert self.keep_per_group is not None
        frame = frame.unique(maintain_order=True)
        parts = []
        for column, code, rule, count in (
            frame.group_by(["column", "code", "rule"], maintain_order=True).len().iter_rows()
        ):
            key = (column, code, rule, severity)
            before = self._counts.get(key, 0)
            self._counts[key] = before + count
            room = self.keep_per_group - before
            if room > 0:
                parts.append(
                    frame.filter(
                        pl.col("column").eq_missing(column)
                        & (pl.col("code") == code)
                        & (pl.col("rule") == rule)
                    ).head(room)
                )
        return pl.concat(parts) if parts else frame.clear()

    def finish(self, duration: float, explain: Callable[[ValidationError], str]) -> None:
        self.duration = duration
        for error in self.structure:
            error.message = explain(error)
        self._explain = explain

    def _all(self, frames: list[pl.DataFrame], severity: str) -> pl.DataFrame:
        if not frames:
            return pl.DataFrame(schema={**ERROR_COLUMNS, "severity": pl.String})
        return pl.concat(frames, how="vertical_relaxed").with_columns(pl.lit(severity).alias("severity"))

    def to_dict(self) -> dict[str, Any]:
        if self._result is not None:
            return self._result
        cells = pl.concat([self._all(self.frames, "error"), self._all(self.warning_frames, "warning")])
        cells = (
            cells.unique(maintain_order=True)
            .with_columns(pl.col("column").is_null().alias("_is_row"))
            .sort(["_is_row", "row"], maintain_order=True)
        )
        counted = self._group_counts(cells)
        errors_count = sum(1 for e in self.structure if e.severity == "error") + sum(
            n for (_c, _code, _r, severity), n in counted.items() if severity == "error"
        )
        warnings_count = sum(1 for e in self.structure if e.severity == "warning") + sum(
            n for (_c, _code, _r, severity), n in counted.items() if severity == "warning"
        )
        by_code: dict[str, int] = {}
        for e in self.structure:
            by_code[e.code] = by_code.get(e.code, 0) + 1
        for (_c, code, _r, _s), count in counted.items():
            by_code[code] = by_code.get(code, 0) + count
        groups = []
        for e in self.structure:
            groups.append(
                {
                    "categorie": "structure",
                    "colonne": e.column or e.value,
                    "code": e.code,
                    "regle": e.rule,
                    "libelle": registry.label(e.code),
                    "gravite": e.severity,
                    "nombre": 1,
                    "exemples": [e.as_dict()],
                }
            )
        if cells.height:
            grouped = (
                cells.with_row_index("_order")
                .group_by(["column", "code", "rule", "severity"], maintain_order=True)
                .agg(
                    pl.len().alias("n"),
                    pl.col("_order").min().alias("_first"),
                    pl.col("_is_row").first().alias("_is_row"),
                )
                .sort(["_is_row", "_first"])
            )
            for column, code, rule, severity, _kept, _first, is_row in grouped.iter_rows():
                count = counted[(column, code, rule, severity)]
                sample = cells.filter(
                    (pl.col("column").eq_missing(column))
                    & (pl.col("code") == code)
                    & (pl.col("rule") == rule)
                    & (pl.col("severity") == severity)
                ).head(EXAMPLES_PER_GROUP)
                groups.append(
                    {
                        "categorie": "ligne" if is_row else "cellule",
                        "colonne": column,
                        "code": code,
                        "regle": rule,
                        "libelle": registry.label(code),
                        "gravite": severity,
                        "nombre": count,
                        "exemples": [self._error(r).as_dict() for r in sample.iter_rows(named=True)],
                    }
                )
        limit = cells.height if self.max_errors is None else max(self.max_errors - len(self.structure), 0)
        detail = [e.as_dict() for e in self.structure] + [
            self._error(r).as_dict() for r in cells.head(limit).iter_rows(named=True)
        ]
        if self.max_errors is not None:
            detail = detail[: self.max_errors]
        total_listed = len(self.structure) + sum(counted.values())
        self._result = {
            "version_format": FORMAT_VERSION,
            "valide": errors_count == 0,
            "schema": self.schema,
            "fichier": self.file,
            "resume": {
                "lignes": self.rows,
                "colonnes": self.columns,
                "erreurs": errors_count,
                "avertissements": warnings_count,
                "par_code": dict(sorted(by_code.items())),
            },
            "groupes": groups,
            "erreurs": detail,
            "tronque": len(detail) < total_listed,
            "remarques": self.notes,
            "corrections": self.fixes,
            "corrections_total": len(self.fixes) if self.fixes_total is None else self.fixes_total,
            "duree_secondes": round(self.duration, 3),
        }
        return self._result

    def _group_counts(self, cells: pl.DataFrame) -> dict[tuple[str | None, str, str, str], int]:
        """Errors per (column, code, rule, severity): counted as they came when rows were cut."""
        if self.keep_per_group is not None:
            return dict(self._counts)
        return {
            (column, code, rule, severity): count
            for column, code, rule, severity, count in cells.group_by(
                ["column", "code", "rule", "severity"], maintain_order=True
            )
            .len()
            .iter_rows()
        }

    def _error(self, row: dict[str, Any]) -> ValidationError:
        value = row["value"]
        error = ValidationError(
            code=row["code"],
            rule=row["rule"],
            row=row["row"],
            column=row["column"],
            value=value,
            severity=row["severity"],
            detail=row.get("detail") or "",
        )
        error.message = self._explain(error)
        if value is not None and len(value) > MAX_VALUE_CHARS:
            error.value = value[:MAX_VALUE_CHARS] + f"… ({len(value)} caractères)"
        return error

    @property
    def valid(self) -> bool:
        return bool(self.to_dict()["valide"])


def render_text(report: dict[str, Any]) -> str:
    """The report as a person reads it in a terminal."""
    lines = []
    schema = report["schema"]
    fichier = report["fichier"]
    summary = report["resume"]
    verdict = "VALIDE" if report["valide"] else "NON VALIDE"
    lines.append(f"{fichier['nom']} — schéma {schema['nom']} {schema['version']} : {verdict}")
    sep = {",": "virgule", ";": "point-virgule", "\t": "tabulation"}.get(
        fichier.get("separateur") or "", fichier.get("separateur")
    )
    desc = f"{summary['lignes']} lignes, {summary['colonnes']} colonnes, format {fichier['format']}"
    if fichier["format"] == "csv":
        desc += f", encodage {fichier['encodage']}, séparateur {sep}"
    lines.append(desc)
    lines.append(f"{summary['erreurs']} erreur(s), {summary['avertissements']} avertissement(s)")
    # The file's own remarks first (which sheet was read, which were left aside), then the validation's.
    for note in [*fichier.get("remarques", []), *report.get("remarques", [])]:
        lines.append(f"Remarque : {note}")
    current = None
    for group in report["groupes"]:
        if group["categorie"] != current:
            current = group["categorie"]
            title = {"structure": "Structure du fichier", "cellule": "Cellules", "ligne": "Lignes"}[current]
            lines.append("")
            lines.append(f"== {title}")
        where = f"colonne « {group['colonne']} »" if group["colonne"] else "ligne entière"
        if not group["colonne"] and group["categorie"] == "structure":
            where = "en-tête"
        gravity = "avertissement" if group["gravite"] == "warning" else "erreur"
        lines.append(f"- {group['libelle']} ({group['code']}), {where} : {group['nombre']} {gravity}(s)")
        for example in group["exemples"]:
            at = f"ligne {example['ligne']} : " if example["ligne"] else ""
            lines.append(f"    {at}{example['message']}")
        if group["nombre"] > len(group["exemples"]):
            lines.append(f"    … et {group['nombre'] - len(group['exemples'])} autre(s)")
    if report.get("corrections"):
        lines.append("")
        total = report.get("corrections_total", len(report["corrections"]))
        lines.append(f"== Corrections sûres possibles : {total}")
    lines.append("")
    lines.append(f"Durée : {report['duree_secondes']} s")
    return "\n".join(lines) + "\n"
