"""Safe fixes: a corrected copy of the file and the list of every change made.

Only changes whose meaning is certain are made: dates JJ/MM/AAAA → AAAA-MM-JJ, decimal comma and
thousands separators in numbers, spaces around values, enum values that differ only by case or
accents (when exactly one allowed value matches), SIRET/SIREN typed with spaces or dots, and the file
itself rewritten as UTF-8 with commas. A value that could mean two things is left as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from odl.core.exports import neutralise, starts_formula
from odl.core.text import fold
from odl.schemas.checks import registry
from odl.schemas.checks.french_siret import FrenchSiret
from odl.schemas.reading import FileInfo
from odl.schemas.registry import Schema
from odl.schemas.report import MAX_VALUE_CHARS

_FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_FR_NUMBER = re.compile(
    r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[,.]\d+)?$|^[+-]?\d+,\d+$|^[+-]?\d{1,3}(?:\.\d{3})+,\d+$"
)
_INT_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+$")
_SPACED_DIGITS = re.compile(r"^[\d \u00a0\u202f.]+$")
# A cell of digits, spaces and separators calls nothing, even behind a sign: "-12,5" stays a number.
# A value that begins and ends with a letter or a digit: no space to trim, no formula to neutralise.
_PLAIN_START = r"^[\p{L}\p{N}]"
_PLAIN_END = r"[\p{L}\p{N}]$"
_PLAIN_NUMBER = re.compile(r"^[+\-\uff0b\uff0d]?[\d \u00a0\u202f.,]+(?:[eE][+-]?\d+)?$")
Fixer = Callable[[str], tuple[str, str] | None]
# The list of changes kept in memory for the report: past this many, only the count goes on (every
# change is still written to the ``changes`` CSV file when one is asked).
MAX_LISTED_CHANGES = 100_000
CHANGE_COLUMNS = ("ligne", "colonne", "avant", "apres", "regle")
CHANGE_LABELS = ("ligne", "colonne", "avant", "après", "correction")
NEUTRALISED = "formule neutralisée (apostrophe ajoutée devant)"


@dataclass
class FixResult:
    output: Path
    changes: list[dict[str, Any]] = field(default_factory=list)
    # Every change, listed or not (file-level ones included).
    total: int = 0


def _date_fix(value: str) -> tuple[str, str] | None:
    m = _FR_DATE.match(value)
    if not m:
        return None
    day, month, year = (int(x) for x in m.groups())
    try:
        fixed = date(year, month, day).isoformat()
    except ValueError:
        return None
    return fixed, "date JJ/MM/AAAA → AAAA-MM-JJ"


def _number_fix(value: str) -> tuple[str, str] | None:
    if not _FR_NUMBER.match(value):
        return None
    text = re.sub(r"[ \u00a0\u202f]", "", value)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text, "nombre à la française → point décimal, sans séparateur de milliers"


def _integer_fix(value: str) -> tuple[str, str] | None:
    if not _INT_GROUPED.match(value):
        return None
    return re.sub(r"[ \u00a0\u202f]", "", value), "séparateur de milliers retiré"


def _identifier_fix(length: int) -> Fixer:
    def fix(value: str) -> tuple[str, str] | None:
        if not _SPACED_DIGITS.match(value):
            return None
        digits = re.sub(r"[ \u00a0\u202f.]", "", value)
        if len(digits) == length and digits != value:
            return digits, "espaces ou points retirés de l'identifiant"
        return None

    return fix


def _choice_fix(allowed: list[str], rule: str) -> Fixer:
    by_fold: dict[str, list[str]] = {}
    for a in allowed:
        by_fold.setdefault(fold(a), []).append(a)

    def fix(value: str) -> tuple[str, str] | None:
        if value in allowed:
            return None
        matches = by_fold.get(fold(value), [])
        if len(matches) == 1:
            return matches[0], rule
        return None

    return fix


def fixers_for(field_def: dict[str, Any], siret_columns: set[str]) -> list[Fixer]:
    kind = field_def.get("type", "string")
    c = field_def.get("constraints", {})
    fixers: list[Fixer] = []
    if kind == "date" and field_def.get("format", "default") in ("default", "%Y-%m-%d"):
        fixers.append(_date_fix)
    elif kind == "number":
        fixers.append(_number_fix)
    elif kind == "integer":
        fixers.append(_integer_fix)
    elif kind == "boolean":
        values = field_def.get("trueValues", ["true", "True", "TRUE", "1"]) + field_def.get(
            "falseValues", ["false", "False", "FALSE", "0"]
        )
        fixers.append(_choice_fix(values, "casse ou accents de la valeur corrigés"))
    if c.get("enum") and kind == "string":
        fixers.append(_choice_fix([str(x) for x in c["enum"]], "casse ou accents de la valeur corrigés"))
    pattern = str(c.get("pattern", ""))
    if field_def["name"] in siret_columns or pattern in ("^\\d{14}$", "^[0-9]{14}$"):
        fixers.append(_identifier_fix(14))
    elif pattern in ("^\\d{9}$", "^[0-9]{9}$"):
        fixers.append(_identifier_fix(9))
    return fixers


def _fix_value(value: str, missing: set[str], fixers: list[Fixer]) -> tuple[str, list[str]]:
    rules = []
    stripped = value.strip()
    if stripped != value and stripped not in missing:
        rules.append("espaces en début ou fin retirés")
        value = stripped
    for fixer in fixers:
        result = fixer(value)
        if result:
            value, rule = result
            rules.append(rule)
            break
    # Last, on the value as written: trimming " =HYPERLINK(…)" must not leave an active formula.
    if starts_formula(value) and not _PLAIN_NUMBER.match(value):
        value = "'" + value
        rules.append(NEUTRALISED)
    return value, rules


def _short(value: Any) -> Any:
    """A listed change keeps a bounded value (the changes file keeps it whole), as errors do."""
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + f"… ({len(value)} caractères)"
    return value


class SafeFixes:
    """Writes the corrected copy (CSV, UTF-8, comma) batch by batch, as the validator reads the file.

    Fed the very batches the validator checks (``Validator.run_reader``'s tap), so the file is read once
    for both. Every change is counted; the first ``MAX_LISTED_CHANGES`` are listed.
    """

    def __init__(
        self,
        schema: Schema,
        header: list[str],
        info: FileInfo,
        output: Path,
        *,
        changes: Path | None = None,
        max_listed: int = MAX_LISTED_CHANGES,
    ) -> None:
        """``changes``: a CSV file receiving every change as it is made (the list in memory stops at
        ``max_listed``), so that a file with millions of corrections keeps a bounded memory."""
        ts = schema.table_schema
        self.max_listed = max_listed
        self.changes_path = changes
        self.changes_handle = changes.open("w", encoding="utf-8", newline="") if changes else None
        # Like every export (odl.core.exports.to_csv): BOM and ";" for French Excel, formulas neutralised.
        self.changes_writer = None
        if self.changes_handle is not None:
            self.changes_handle.write("\ufeff")
            self.changes_writer = csv.writer(self.changes_handle, delimiter=";", lineterminator="\r\n")
            self.changes_writer.writerow(CHANGE_LABELS)
        self.missing = {str(x) for x in ts.get("missingValues", [""])}
        siret = {n for n, check in registry.custom.items() if check is FrenchSiret}
        siret_columns = {
            str(cc.get("params", {}).get("column"))
            for cc in ts.get("custom_checks", [])
            if isinstance(cc, dict) and cc.get("name") in siret
        }
        fields = {f["name"]: f for f in ts.get("fields", [])}
        self.header = header
        self.result = FixResult(output=output)
        if info.format == "csv" and not info.encoding.startswith("utf-8"):
            self._note(info.encoding, "utf-8", "encodage converti en UTF-8")
        if info.format == "csv" and info.delimiter != ",":
            self._note(info.delimiter, ",", "séparateur remplacé par la virgule")
        if info.format != "csv":
            self._note(info.format, "csv", "classeur enregistré en CSV UTF-8")
        self.fixers: dict[int, list[Fixer]] = {}
        for index, label in enumerate(header):
            f = fields.get(label)
            self.fixers[index] = fixers_for(f, siret_columns) if f else []
        self.handle = output.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow([neutralise(h) for h in header])

    def _note(self, before: str, after: str, rule: str) -> None:
        self._change({"ligne": None, "colonne": None, "avant": before, "apres": after, "regle": rule})

    def _change(self, change: dict[str, Any]) -> None:
        self.result.total += 1
        if len(self.result.changes) < self.max_listed:
            self.result.changes.append({k: _short(v) for k, v in change.items()})
        if self.changes_writer is not None:
            self.changes_writer.writerow(
                ["" if change[c] is None else neutralise(change[c]) for c in CHANGE_COLUMNS]
            )

    def feed(self, frame: pl.DataFrame) -> None:
        """Fix one batch. Values are mapped once per distinct value and replaced column-wise, and rows
        are written one by one: no Python list of the whole batch is built (memory stays bounded)."""
        header = self.header
        fixed: list[pl.Series] = []
        for index in range(len(header)):
            series = frame[f"c{index}"]
            distinct_values = series.drop_nulls().unique()
            if not self.fixers[index]:
                # Without a fixer, only a value with spaces around it or a formula's first character
                # can change: one that begins and ends with a letter or a digit is left as it is.
                # Skipping those in Rust spares a Python call per distinct value of free-text columns.
                distinct_values = distinct_values.filter(
                    ~(distinct_values.str.contains(_PLAIN_START) & distinct_values.str.contains(_PLAIN_END))
                )
            distinct = distinct_values.to_list()
            mapping = {v: _fix_value(v, self.missing, self.fixers[index]) for v in distinct}
            changed = {v: m for v, m in mapping.items() if m[1]}
            if changed:
                hit = series.is_in(list(changed))
                if self.changes_writer is None and len(self.result.changes) >= self.max_listed:
                    # Nothing more is listed or written: the changes are only counted, without a
                    # Python loop over each of them (300,000 on a large messy file).
                    self.result.total += int(hit.sum())
                    series = series.replace(list(changed), [m[0] for m in changed.values()])
                    fixed.append(series.fill_null("").alias(f"c{index}"))
                    continue
                for row, value in zip(
                    frame["_row"].filter(hit).to_list(), series.filter(hit).to_list(), strict=True
                ):
                    new, rules = changed[value]
                    self._change(
                        {
                            "ligne": row,
                            "colonne": header[index],
                            "avant": value,
                            "apres": new,
                            "regle": " ; ".join(rules),
                        }
                    )
                series = series.replace(list(changed), [m[0] for m in changed.values()])
            fixed.append(series.fill_null("").alias(f"c{index}"))
        if not fixed:
            return
        width = len(header)
        for row, count in zip(pl.DataFrame(fixed).iter_rows(), frame["_n"], strict=True):
            self.writer.writerow(row[: min(count, width)])

    def close(self) -> FixResult:
        self.handle.close()
        if self.changes_handle is not None:
            self.changes_handle.close()
        return self.result

    def discard(self) -> None:
        """The validation stopped half-way: no half-written copy is left behind."""
        self.close()
        self.result.output.unlink(missing_ok=True)
        if self.changes_path is not None:
            self.changes_path.unlink(missing_ok=True)


__all__ = ["FixResult", "SafeFixes"]
