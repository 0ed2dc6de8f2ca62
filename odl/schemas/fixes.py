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
from odl.schemas.reading import open_table
from odl.schemas.registry import Schema

_FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_FR_NUMBER = re.compile(
    r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[,.]\d+)?$|^[+-]?\d+,\d+$|^[+-]?\d{1,3}(?:\.\d{3})+,\d+$"
)
_INT_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+$")
_SPACED_DIGITS = re.compile(r"^[\d \u00a0\u202f.]+$")
Fixer = Callable[[str], tuple[str, str] | None]


@dataclass
class FixResult:
    output: Path
    changes: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0

    def changes_as_dicts(self) -> list[dict[str, Any]]:
        return self.changes


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


def fix_file(path: Path, schema: Schema, output: Path, display_name: str | None = None) -> FixResult:
    """Write the corrected copy (CSV, UTF-8, comma) and return every change made."""
    reader = open_table(path, display_name)
    ts = schema.table_schema
    missing = {str(x) for x in ts.get("missingValues", [""])}
    siret_columns = {
        str(cc.get("params", {}).get("column"))
        for cc in ts.get("custom_checks", [])
        if isinstance(cc, dict) and cc.get("name") in ("french-siret-value", "siret")
    }
    fields = {f["name"]: f for f in ts.get("fields", [])}
    header = reader.header
    result = FixResult(output=output)
    if reader.info.format == "csv" and not reader.info.encoding.startswith("utf-8"):
        result.changes.append(
            {
                "ligne": None,
                "colonne": None,
                "avant": reader.info.encoding,
                "apres": "utf-8",
                "regle": "encodage converti en UTF-8",
            }
        )
    if reader.info.format == "csv" and reader.info.delimiter != ",":
        result.changes.append(
            {
                "ligne": None,
                "colonne": None,
                "avant": reader.info.delimiter,
                "apres": ",",
                "regle": "séparateur remplacé par la virgule",
            }
        )
    if reader.info.format != "csv":
        result.changes.append(
            {
                "ligne": None,
                "colonne": None,
                "avant": reader.info.format,
                "apres": "csv",
                "regle": "classeur enregistré en CSV UTF-8",
            }
        )
    column_fixers: dict[int, list[Fixer]] = {}
    for index, label in enumerate(header):
        f = fields.get(label)
        column_fixers[index] = fixers_for(f, siret_columns) if f else []
    try:
        with output.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            for frame in reader.batches():
                columns: dict[int, list[str | None]] = {}
                for index in range(len(header)):
                    series = frame[f"c{index}"]
                    distinct = series.drop_nulls().unique().to_list()
                    mapping = {v: _fix_value(v, missing, column_fixers[index]) for v in distinct}
                    changed = {v: m for v, m in mapping.items() if m[1]}
                    values = series.to_list()
                    if changed:
                        rows = frame["_row"].to_list()
                        for row, value in zip(rows, values, strict=True):
                            if value in changed:
                                new, rules = changed[value]
                                result.total += 1
                                result.changes.append(
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
                    record = [columns[i][position] or "" for i in range(min(width, len(header)))]
                    writer.writerow(record)
    finally:
        reader.close()
    return result


__all__ = ["FixResult", "fix_file", "pl"]
