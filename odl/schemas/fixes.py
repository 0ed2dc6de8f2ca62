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

from odl.core.text import fold
from odl.schemas.checks import registry
from odl.schemas.checks.french_siret import FrenchSiret
from odl.schemas.reading import FileInfo
from odl.schemas.registry import Schema

_FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_FR_NUMBER = re.compile(
    r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[,.]\d+)?$|^[+-]?\d+,\d+$|^[+-]?\d{1,3}(?:\.\d{3})+,\d+$"
)
_INT_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+$")
_SPACED_DIGITS = re.compile(r"^[\d \u00a0\u202f.]+$")
Fixer = Callable[[str], tuple[str, str] | None]
# The list of changes goes into the stored report: past this many, only the count goes on.
MAX_LISTED_CHANGES = 100_000


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
    return value, rules


class SafeFixes:
    """Writes the corrected copy (CSV, UTF-8, comma) batch by batch, as the validator reads the file.

    Fed the very batches the validator checks (``Validator.run_reader``'s tap), so the file is read once
    for both. Every change is counted; the first ``MAX_LISTED_CHANGES`` are listed.
    """

    def __init__(self, schema: Schema, header: list[str], info: FileInfo, output: Path) -> None:
        ts = schema.table_schema
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
        self.writer.writerow(header)

    def _note(self, before: str, after: str, rule: str) -> None:
        self._change({"ligne": None, "colonne": None, "avant": before, "apres": after, "regle": rule})

    def _change(self, change: dict[str, Any]) -> None:
        self.result.total += 1
        if len(self.result.changes) < MAX_LISTED_CHANGES:
            self.result.changes.append(change)

    def feed(self, frame: pl.DataFrame) -> None:
        header = self.header
        columns: dict[int, list[str | None]] = {}
        for index in range(len(header)):
            series = frame[f"c{index}"]
            distinct = series.drop_nulls().unique().to_list()
            mapping = {v: _fix_value(v, self.missing, self.fixers[index]) for v in distinct}
            changed = {v: m for v, m in mapping.items() if m[1]}
            values = series.to_list()
            if changed:
                rows = frame["_row"].to_list()
                for row, value in zip(rows, values, strict=True):
                    if value in changed:
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
                values = [changed[v][0] if v in changed else v for v in values]
            columns[index] = values
        counts = frame["_n"].to_list()
        for position in range(frame.height):
            width = counts[position]
            self.writer.writerow([columns[i][position] or "" for i in range(min(width, len(header)))])

    def close(self) -> FixResult:
        self.handle.close()
        return self.result

    def discard(self) -> None:
        """The validation stopped half-way: no half-written copy is left behind."""
        self.handle.close()
        self.result.output.unlink(missing_ok=True)


__all__ = ["FixResult", "SafeFixes"]
