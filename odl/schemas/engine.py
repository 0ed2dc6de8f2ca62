"""The validation engine: Table Schema semantics and Validata's custom checks, vectorised with polars.

The file is read in bounded batches (``reading``); each batch is checked column by column with polars
expressions. Values the fast expressions cannot settle (odd numbers, dates, URLs…) are checked one by
one with the exact frictionless rule, on distinct values only, so the answer is the reference's and the
cost stays proportional to the number of distinct unusual values. Uniqueness and primary keys keep a
set of seen values across batches. Errors are gathered as small frames; counts are always exact,
while the list of detailed errors can be capped (``max_errors``).
"""

from __future__ import annotations

import difflib
import json
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from odl.core.identifiers import luhn_ok
from odl.core.text import fold
from odl.schemas.messages import LABELS, explain
from odl.schemas.reading import open_table
from odl.schemas.registry import Schema
from odl.schemas.report import Report, ValidationError

Progress = Callable[[str, int, int], None]
ERROR_SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "code": pl.String,
    "rule": pl.String,
    "value": pl.String,
}
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URI_FAST = r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/[^\s]*)?$"
ACTES_PREFIXES = {
    fold(x).replace(" ", "")
    for x in (
        "Commande publique",
        "Urbanisme",
        "Domaine et patrimoine",
        "Fonction publique",
        "Institutions et vie politique",
        "Libertés publiques et pouvoirs de police",
        "Finances locales",
        "Domaines de compétences par thèmes",
        "Autres domaines de compétences",
    )
}


def _norm_actes(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


_ACTES_NORMALISED = {
    _norm_actes(x)
    for x in (
        "Commande publique",
        "Urbanisme",
        "Domaine et patrimoine",
        "Fonction publique",
        "Institutions et vie politique",
        "Libertés publiques et pouvoirs de police",
        "Finances locales",
        "Domaines de compétences par thèmes",
        "Autres domaines de compétences",
    )
}


# --- exact, one-value rules (the frictionless/Validata reference), used on the few unusual values ---


def _int_ok(v: str) -> bool:
    try:
        int(v.strip())
    except ValueError:
        return False
    return True


def _number_ok(v: str) -> bool:
    try:
        Decimal(v.strip())
    except (InvalidOperation, ValueError):
        return False
    return True


def _date_ok(fmt: str) -> Callable[[str], bool]:
    pattern = "%Y-%m-%d" if fmt in ("default", "") else fmt

    def check(v: str) -> bool:
        if fmt == "any":
            return _any_date(v)
        try:
            datetime.strptime(v, pattern)
        except (ValueError, TypeError):
            return False
        return True

    return check


def _any_date(v: str) -> bool:
    try:
        date.fromisoformat(v[:10])
    except ValueError:
        return False
    return True


def _datetime_ok(fmt: str) -> Callable[[str], bool]:
    def check(v: str) -> bool:
        try:
            if fmt in ("default", ""):
                if len(v) < 19 or v[16] != ":":
                    return False
                datetime.fromisoformat(v.replace("Z", "+00:00"))
            elif fmt == "any":
                datetime.fromisoformat(v.replace("Z", "+00:00"))
            else:
                datetime.strptime(v, fmt)
        except (ValueError, IndexError):
            return False
        return True

    return check


def _year_ok(v: str) -> bool:
    if len(v) != 4:
        return False
    try:
        year = int(v)
    except ValueError:
        return False
    return 0 <= year <= 9999


def _array_ok(v: str) -> bool:
    try:
        return isinstance(json.loads(v), list)
    except ValueError:
        return False


_ITEM_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, int | float) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
}


def _items_ok(v: str, item_kind: str | None) -> bool:
    """Each item of a JSON array has the item type (frictionless' arrayItem); null items are left to required."""
    check = _ITEM_TYPES.get(item_kind or "")
    return check is None or all(item is None or check(item) for item in json.loads(v))


def _geopoint_ok(fmt: str) -> Callable[[str], bool]:
    def check(v: str) -> bool:
        try:
            if fmt == "array":
                lon, lat = json.loads(v)
            elif fmt == "object":
                data = json.loads(v)
                lon, lat = data["lon"], data["lat"]
            else:
                lon, lat = (float(x) for x in v.split(","))
            lon, lat = Decimal(str(lon)), Decimal(str(lat))
        except (ValueError, TypeError, KeyError, InvalidOperation):
            return False
        return -180 <= lon <= 180 and -90 <= lat <= 90

    return check


def _uri_ok(v: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(v)
    except ValueError:
        return False
    return (
        bool(parts.scheme)
        and bool(parts.netloc or parts.path)
        and " " not in v
        and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme) is not None
    )


def _email_ok(v: str) -> bool:
    return bool(_EMAIL.match(v))


def _siret_ok(v: str) -> bool:
    if len(v) != 14 or not v.isdigit():
        return False
    if v.startswith("356000000") and sum(int(c) for c in v) % 5 == 0:
        return True
    return luhn_ok(v)


def _exact(values: pl.Series, rule: Callable[[str], bool]) -> pl.Series:
    """Apply a one-value rule to distinct values only and map the answer back."""
    if values.len() == 0:
        return pl.Series(values.name, [], dtype=pl.Boolean)
    distinct = values.unique()
    verdict = {v: rule(v) for v in distinct.to_list()}
    return values.replace_strict(verdict, return_dtype=pl.Boolean)


def _settle(values: pl.Series, fast: pl.Series, rule: Callable[[str], bool]) -> pl.Series:
    """``fast`` already says yes for most values; the exact rule decides only for the others."""
    if fast.all():
        return fast
    doubtful = (~fast).arg_true()
    return fast.scatter(doubtful, _exact(values.gather(doubtful), rule))


class FieldCheck:
    """The checks of one schema field, bound to the file column that holds it."""

    def __init__(self, field: dict[str, Any], column: str, missing: list[str], in_pk: bool) -> None:
        self.field = field
        self.name = field["name"]
        self.column = column
        self.kind = field.get("type", "string")
        self.format = field.get("format", "default")
        self.missing = missing
        self.constraints = dict(field.get("constraints", {}))
        if in_pk:
            self.constraints.setdefault("required", True)
        self.seen: set[str] = set()
        pattern = self.constraints.get("pattern")
        self.pattern_rust: str | None = None
        self.pattern_py: re.Pattern[str] | None = None
        if pattern is not None:
            anchored = f"^{pattern}$"
            self.pattern_py = re.compile(anchored)
            try:
                pl.Series([""]).str.contains(anchored)
                self.pattern_rust = anchored
            except Exception:  # look-arounds and back-references: Python's re does it
                self.pattern_rust = None

    def type_ok(self, s: pl.Series) -> pl.Series:
        kind, fmt = self.kind, self.format
        if kind == "string":
            if fmt == "email":
                return _exact(s, _email_ok)
            if fmt == "uri":
                return _settle(s, s.str.contains(_URI_FAST), _uri_ok)
            return pl.Series(s.name, [True] * s.len(), dtype=pl.Boolean)
        if kind == "integer":
            return _settle(s, s.str.contains(r"^[+-]?\d+$"), _int_ok)
        if kind == "number":
            return _settle(s, s.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"), _number_ok)
        if kind == "boolean":
            return s.is_in(
                self.field.get("trueValues", DEFAULT_TRUE) + self.field.get("falseValues", DEFAULT_FALSE)
            )
        if kind == "date":
            if fmt in ("default", "%Y-%m-%d"):
                fast = (
                    s.str.contains(r"^\d{4}-\d{2}-\d{2}$")
                    & s.str.to_date("%Y-%m-%d", strict=False).is_not_null()
                )
                return _settle(s, fast, _date_ok(fmt))
            return _exact(s, _date_ok(fmt))
        if kind == "datetime":
            return _exact(s, _datetime_ok(fmt))
        if kind == "year":
            return _exact(s, _year_ok)
        if kind == "array":
            item_kind = self.field.get("arrayItem", {}).get("type")
            return _exact(s, lambda v: _array_ok(v) and _items_ok(v, item_kind))
        if kind == "geopoint":
            return _exact(s, _geopoint_ok(fmt))
        return pl.Series(s.name, [True] * s.len(), dtype=pl.Boolean)

    def typed_number(self, s: pl.Series) -> pl.Series:
        if self.kind in ("integer", "number", "year"):
            return s.str.strip_chars().cast(pl.Float64, strict=False)
        if self.kind == "date":
            return s.str.to_date("%Y-%m-%d", strict=False).cast(pl.Float64)
        return s.cast(pl.Float64, strict=False)

    def check(self, frame: pl.DataFrame) -> list[pl.DataFrame]:
        out: list[pl.DataFrame] = []
        data = frame.select(pl.col("_row"), pl.col(self.column).alias("v"))
        data = data.filter(pl.col("v").is_not_null())  # absent cells are reported as missing-cell
        is_missing = data["v"].is_in(self.missing)
        if self.constraints.get("required"):
            out.append(_errors(data.filter(is_missing), self.name, "constraint-error", "required"))
        present = data.filter(~is_missing)
        if present.height == 0:
            return out
        ok = self.type_ok(present["v"])
        out.append(_errors(present.filter(~ok), self.name, "type-error", "type"))
        good = present.filter(ok)
        if good.height == 0:
            return out
        s = good["v"]
        c = self.constraints
        if "enum" in c:
            allowed = [str(x) for x in c["enum"]]
            if self.kind in ("integer", "number"):
                bad = ~self.typed_number(s).is_in([float(x) for x in c["enum"]])
            else:
                bad = ~s.is_in(allowed)
            out.append(_errors(good.filter(bad), self.name, "constraint-error", "enum"))
        if "pattern" in c:
            if self.pattern_rust is not None:
                matched = s.str.contains(self.pattern_rust)
            else:
                regex = self.pattern_py
                assert regex is not None
                matched = _exact(s, lambda v: regex.match(v) is not None)
            out.append(_errors(good.filter(~matched), self.name, "constraint-error", "pattern"))
        if "minLength" in c or "maxLength" in c:
            length = s.str.len_chars()
            if "minLength" in c:
                out.append(
                    _errors(good.filter(length < c["minLength"]), self.name, "constraint-error", "minLength")
                )
            if "maxLength" in c:
                out.append(
                    _errors(good.filter(length > c["maxLength"]), self.name, "constraint-error", "maxLength")
                )
        if "minimum" in c or "maximum" in c:
            typed = self.typed_number(s)
            if "minimum" in c:
                out.append(
                    _errors(
                        good.filter(typed < _bound(c["minimum"])), self.name, "constraint-error", "minimum"
                    )
                )
            if "maximum" in c:
                out.append(
                    _errors(
                        good.filter(typed > _bound(c["maximum"])), self.name, "constraint-error", "maximum"
                    )
                )
        item_constraints = (
            self.field.get("arrayItem", {}).get("constraints", {}) if self.kind == "array" else {}
        )
        if item_constraints.get("enum") or item_constraints.get("required"):
            item_enum: list[Any] | None = item_constraints.get("enum")
            required = bool(item_constraints.get("required"))

            def items_allowed(v: str) -> bool:
                items = json.loads(v)
                if required and any(item is None for item in items):
                    return False
                return item_enum is None or all(item in item_enum for item in items if item is not None)

            out.append(
                _errors(good.filter(~_exact(s, items_allowed)), self.name, "constraint-error", "arrayItem")
            )
        if c.get("unique"):
            out.append(_errors(good.filter(_repeats(s, self.seen)), self.name, "unique-error", "unique"))
        return out


def _bound(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(date.fromisoformat(value).toordinal() - date(1970, 1, 1).toordinal())
        except ValueError:
            return float(value)
    return float(value)


def _repeats(values: pl.Series, seen: set[str]) -> pl.Series:
    """True for the second and later occurrences, across batches."""
    in_batch = values.is_first_distinct().not_()
    earlier = values.is_in(list(seen)) if seen else pl.Series([False] * values.len())
    seen.update(values.unique().to_list())
    return in_batch | earlier


def _errors(frame: pl.DataFrame, column: str | None, code: str, rule: str, value: str = "v") -> pl.DataFrame:
    return frame.select(
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.lit(column, dtype=pl.String).alias("column"),
        pl.lit(code).alias("code"),
        pl.lit(rule).alias("rule"),
        (pl.col(value).cast(pl.String) if value in frame.columns else pl.lit(None, dtype=pl.String)).alias(
            "value"
        ),
    )


class Validator:
    """Validate one file against one schema; ``run`` returns the report."""

    def __init__(
        self,
        schema: Schema,
        max_errors: int | None = None,
        progress: Progress | None = None,
        referentiel: bool = True,
        chunk_bytes: int | None = None,
    ) -> None:
        self.chunk_bytes = chunk_bytes
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
        started = time.perf_counter()
        reader = open_table(
            path, display_name, **({"chunk_bytes": self.chunk_bytes} if self.chunk_bytes else {})
        )
        try:
            report = Report(schema=self.schema.ref(), file=reader.info.as_dict(), max_errors=self.max_errors)
            mapping = self._structure(reader.header, report)
            self._body(reader, mapping, report)
        finally:
            reader.close()
        report.finish(time.perf_counter() - started, self._explainer())
        return report

    def _explainer(self) -> Callable[[ValidationError], str]:
        by_name = {f["name"]: f for f in self.fields}
        examples = self.schema.examples

        def message(error: ValidationError) -> str:
            field = by_name.get(error.column or "")
            return explain(error.code, error.rule, error.column, error.value, field, examples, error.detail)

        return message

    # --- header -----------------------------------------------------------------------------

    def _structure(self, labels: list[str], report: Report) -> dict[str, str]:
        names = [f["name"] for f in self.fields]
        required = {f["name"] for f in self.fields if f.get("constraints", {}).get("required")} | set(self.pk)
        mapping: dict[str, str] = {}
        seen: set[str] = set()
        unknown: list[tuple[int, str]] = []
        for index, label in enumerate(labels):
            if label == "":
                report.add_structure("blank-label", None, "", index + 1, "error")
            elif label in seen:
                report.add_structure("duplicate-label", label, label, index + 1, "error")
            elif label in names and label not in mapping:
                mapping[label] = f"c{index}"
            else:
                unknown.append((index, label))
            seen.add(label)
        absent = [n for n in names if n not in mapping]
        extras: list[tuple[int, str]] = []
        for index, label in unknown:
            match = next(
                (n for n in absent if fold(n).replace(" ", "") == fold(label).replace(" ", "")), None
            )
            if match and label.strip() and label not in names:
                mapping[match] = f"c{index}"
                absent.remove(match)
                report.add_structure("incorrect-label", match, label, index + 1, "error")
            elif label in names:
                continue  # a duplicate, already reported
            else:
                extras.append((index, label))
        folded_absent = {fold(n): n for n in absent}
        for index, label in extras:
            close = difflib.get_close_matches(fold(label), list(folded_absent), n=1, cutoff=0.6)
            hint = f" Vouliez-vous dire « {folded_absent[close[0]]} » ?" if close else ""
            # Validata, like frictionless with schema_sync, accepts extra columns: a warning, not an error.
            report.add_structure("extra-label", None, label, index + 1, "warning", hint)
        extra_labels = {fold(label): label for _, label in extras}
        for name in absent:
            close = difflib.get_close_matches(fold(name), list(extra_labels), n=1, cutoff=0.6)
            hint = (
                f" La colonne « {extra_labels[close[0]]} » de votre fichier lui ressemble." if close else ""
            )
            severity = "error" if name in required else "warning"
            if severity == "warning":
                hint += " Elle est facultative : ajoutez-la vide si vous n'avez pas l'information."
            report.add_structure("missing-label", name, None, None, severity, hint)
        report.columns = len(labels)
        return mapping

    # --- body -------------------------------------------------------------------------------

    def _body(self, reader: Any, mapping: dict[str, str], report: Report) -> None:
        width = max(len(reader.header), 1)
        labels = reader.header
        checks = [
            FieldCheck(f, mapping[f["name"]], self.missing, f["name"] in self.pk)
            for f in self.fields
            if f["name"] in mapping
        ]
        customs = CustomChecks(self.ts.get("custom_checks", []), mapping, self.fields, self.missing, report)
        pk_seen: set[str] = set()
        pk_columns = [mapping[n] for n in self.pk if n in mapping]
        referentiel = Referentiel.for_schema(self.fields, mapping) if self.use_referentiel else None
        required = {
            f["name"] for f in self.fields if f.get("constraints", {}).get("required") or f["name"] in self.pk
        }
        required = {label for label in labels if label in required}
        rows = 0
        for frame in reader.batches():
            rows += frame.height
            cells = [f"c{i}" for i in range(width)]
            blank = pl.all_horizontal([pl.col(c).is_null() | pl.col(c).is_in(self.missing) for c in cells])
            frame = frame.with_columns(blank.alias("_blank"))
            report.add_frame(_errors(frame.filter(pl.col("_blank")), None, "blank-row", "blank-row"))
            frame = frame.filter(~pl.col("_blank"))
            ragged = frame.filter(pl.col("_n") != width)
            if ragged.height:
                self._ragged(ragged, width, labels, report, required)
            for check in checks:
                for errors in check.check(frame):
                    report.add_frame(errors)
            if pk_columns and len(pk_columns) == len(self.pk):
                key = pl.concat_str([pl.col(c).fill_null("") for c in pk_columns], separator="\u241f")
                keyed = frame.select(pl.col("_row"), key.alias("v"))
                dup = _repeats(keyed["v"], pk_seen)
                report.add_frame(_errors(keyed.filter(dup), None, "primary-key", "primaryKey"))
            for errors in customs.check(frame, checks):
                report.add_frame(errors)
            if referentiel is not None:
                for errors in referentiel.check(frame):
                    report.add_frame(errors, severity="warning")
            if self.progress:
                done, total = reader.progress()
                self.progress("Validation", done, total)
        report.rows = rows
        if referentiel is not None and referentiel.note:
            report.notes.append(referentiel.note)

    def _ragged(
        self, ragged: pl.DataFrame, width: int, labels: list[str], report: Report, required: set[str]
    ) -> None:
        for row, count in ragged.select("_row", "_n").iter_rows():
            if count > width:
                report.add_one(row, None, "extra-cell", "extra-cell", None)
            else:
                for position in range(count, width):
                    label = labels[position] if position < len(labels) else None
                    report.add_one(row, label, "missing-cell", "missing-cell", None)
                    if label in required:
                        # An absent cell is also an empty one: the required rule fails too, as in frictionless.
                        report.add_one(row, label, "constraint-error", "required", None)


class CustomChecks:
    """Validata's custom checks (``custom_checks`` in the schema), vectorised."""

    def __init__(
        self,
        specs: list[dict[str, Any]],
        mapping: dict[str, str],
        fields: list[dict[str, Any]],
        missing: list[str],
        report: Report,
    ) -> None:
        self.specs = [s for s in specs if isinstance(s, dict)]
        self.mapping = mapping
        self.types = {f["name"]: f.get("type", "string") for f in fields}
        self.missing = missing
        self.skipped: list[dict[str, Any]] = []
        for spec in self.specs:
            name = spec.get("name")
            params = spec.get("params", {})
            if name == "one-of-required":
                cols = [params.get("column1"), params.get("column2")]
                if all(c not in mapping for c in cols):
                    report.add_structure(
                        "one-of-required",
                        None,
                        None,
                        None,
                        "error",
                        f" Les colonnes « {cols[0]} » et « {cols[1]} » sont toutes deux absentes : il en faut au moins une.",
                    )
            elif name == "cohesive-columns-value":
                cols = [params.get("column"), *params.get("othercolumns", [])]
                present = [c for c in cols if c in mapping]
                if present and len(present) != len(cols):
                    absent = ", ".join(c for c in cols if c not in mapping)
                    report.add_structure(
                        "cohesive-columns-value",
                        None,
                        None,
                        None,
                        "error",
                        f" Les colonnes {', '.join(cols)} vont ensemble : ajoutez {absent} ou retirez les autres.",
                    )
            elif name not in CUSTOM_RULES:
                report.notes.append(
                    f"Contrôle « {name} » du schéma non pris en charge : il n'a pas été vérifié."
                )

    def _value(self, name: str | None, valid: dict[str, pl.Series], frame: pl.DataFrame) -> pl.Expr:
        """The cell as frictionless hands it to the check: None when absent, missing or of the wrong type."""
        if name is None or name not in self.mapping:
            return pl.lit(None, dtype=pl.String)
        col = pl.col(self.mapping[name])
        expr = pl.when(col.is_null() | col.is_in(self.missing)).then(None).otherwise(col)
        if name in valid:
            expr = pl.when(pl.lit(valid[name])).then(expr).otherwise(None)
        return expr

    def check(self, frame: pl.DataFrame, checks: list[FieldCheck]) -> list[pl.DataFrame]:
        if not self.specs:
            return []
        valid: dict[str, pl.Series] = {}
        for fc in checks:
            if fc.kind != "string" or fc.format != "default":
                s = frame[fc.column]
                present = s.is_not_null() & ~s.is_in(self.missing)
                ok = pl.Series([False] * frame.height)
                if present.any():
                    idx = present.arg_true()
                    sub_ok = fc.type_ok(s.gather(idx))
                    ok = ok.scatter(idx, sub_ok)
                valid[fc.name] = ok
        out = []
        for spec in self.specs:
            rule = CUSTOM_RULES.get(str(spec.get("name")))
            if rule:
                out.extend(rule(self, spec.get("params", {}), frame, valid))
        return out

    def typed(self, name: str | None, valid: dict[str, pl.Series], frame: pl.DataFrame) -> pl.Expr:
        value = self._value(name, valid, frame)
        kind = self.types.get(name or "", "string")
        if kind in ("integer", "number", "year"):
            return value.str.strip_chars().cast(pl.Float64, strict=False)
        return value


def _siret(
    self: CustomChecks, params: dict[str, Any], frame: pl.DataFrame, valid: dict[str, pl.Series]
) -> list[pl.DataFrame]:
    column = params.get("column")
    if column not in self.mapping:
        return []
    data = frame.select(pl.col("_row"), self._value(column, valid, frame).alias("v")).filter(
        pl.col("v").is_not_null()
    )
    if data.height == 0:
        return []
    s = data["v"]
    distinct = s.unique()
    fast = distinct.str.contains(r"^\d{14}$") & _luhn(distinct)
    good = distinct.filter(_settle(distinct, fast, _siret_ok))
    ok = s.is_in(good)
    return [_errors(data.filter(~ok), column, "french-siret-value", "french-siret-value")]


def _luhn(s: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"v": s})
    total = pl.lit(0, dtype=pl.Int64)
    for i in range(14):
        d = pl.col("v").str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0)
        if (13 - i) % 2 == 1:
            d = pl.when(d * 2 > 9).then(d * 2 - 9).otherwise(d * 2)
        total = total + d
    return frame.select(((total % 10) == 0).alias("ok"))["ok"]


def _one_of_required(
    self: CustomChecks, params: dict[str, Any], frame: pl.DataFrame, valid: dict[str, pl.Series]
) -> list[pl.DataFrame]:
    c1, c2 = params.get("column1"), params.get("column2")
    if c1 not in self.mapping and c2 not in self.mapping:
        return []
    a, b = self._value(c1, valid, frame), self._value(c2, valid, frame)
    data = frame.select(pl.col("_row"), a.alias("a"), b.alias("b"))
    bad = data.filter(pl.col("a").is_null() & pl.col("b").is_null()).with_columns(
        pl.lit(None, dtype=pl.String).alias("v")
    )
    return [_errors(bad, c1, "one-of-required", "one-of-required")]


def _year_interval(
    self: CustomChecks, params: dict[str, Any], frame: pl.DataFrame, valid: dict[str, pl.Series]
) -> list[pl.DataFrame]:
    column = params.get("column")
    if column not in self.mapping:
        return []
    allow = str(params.get("allow-year-only", "false")) in ("true", "yes")
    data = frame.select(pl.col("_row"), self._value(column, valid, frame).alias("v")).filter(
        pl.col("v").is_not_null()
    )

    def ok(v: str) -> bool:
        m = re.match(r"^(\d{4})/(\d{4})$", v)
        if not m:
            return allow and re.match(r"^\d{4}$", v) is not None
        return int(m.group(1)) < int(m.group(2))

    good = _exact(data["v"], ok)
    return [_errors(data.filter(~good), column, "year-interval-value", "year-interval-value")]


def _cohesive(
    self: CustomChecks, params: dict[str, Any], frame: pl.DataFrame, valid: dict[str, pl.Series]
) -> list[pl.DataFrame]:
    column = params.get("column")
    others = list(params.get("othercolumns", []))
    cols = [column, *others]
    present = [c for c in cols if c in self.mapping]
    if not present or len(present) != len(cols):
        return []
    first = self._value(column, valid, frame).is_null()
    differ = pl.any_horizontal([self._value(o, valid, frame).is_null() != first for o in others])
    data = frame.select(pl.col("_row"), differ.alias("bad"), self._value(column, valid, frame).alias("v"))
    rule = "ensemble : " + ", ".join(str(c) for c in cols)
    return [_errors(data.filter(pl.col("bad")), column, "cohesive-columns-value", rule)]


_OPS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def _compare(
    self: CustomChecks, params: dict[str, Any], frame: pl.DataFrame, valid: dict[str, pl.Series]
) -> list[pl.DataFrame]:
    c1, c2, op = params.get("column"), params.get("column2"), params.get("op")
    if c1 not in self.mapping or c2 not in self.mapping or op not in _OPS:
        return []
    a = self.typed(c1, valid, frame)
    b = self.typed(c2, valid, frame)
    data = frame.select(pl.col("_row"), a.alias("a"), b.alias("b"), self._value(c1, valid, frame).alias("v"))
    data = data.filter(pl.col("a").is_not_null() & pl.col("b").is_not_null())
    rule = f"{c1} {op} {c2}"
    if data.schema["a"] != data.schema["b"]:
        return [_errors(data, c1, "compare-columns-value", rule)]
    bad = data.filter(~_OPS[op](pl.col("a"), pl.col("b")))
    return [_errors(bad, c1, "compare-columns-value", rule)]


def _sum(
    self: CustomChecks, params: dict[str, Any], frame: pl.DataFrame, valid: dict[str, pl.Series]
) -> list[pl.DataFrame]:
    column = params.get("column")
    parts = list(params.get("columns", []))
    if column not in self.mapping:
        return []
    total = self.typed(column, valid, frame)
    values = [self.typed(p, valid, frame) for p in parts]
    data = frame.select(
        pl.col("_row"),
        total.alias("t"),
        pl.sum_horizontal(values).alias("s"),
        pl.all_horizontal([v.is_not_null() for v in values]).alias("all"),
        self._value(column, valid, frame).alias("v"),
    )
    bad = data.filter(pl.col("t").is_not_null() & pl.col("all") & (pl.col("t") != pl.col("s")))
    return [_errors(bad, column, "sum-columns-value", f"{column} = {' + '.join(str(p) for p in parts)}")]


def _actes_ok(value: str) -> bool:
    if "/" not in value:
        return False
    prefix = value[: value.find("/")]
    return _norm_actes(prefix) in _ACTES_NORMALISED and "/ " not in value


def _actes(
    self: CustomChecks, params: dict[str, Any], frame: pl.DataFrame, valid: dict[str, pl.Series]
) -> list[pl.DataFrame]:
    column = params.get("column")
    if column not in self.mapping:
        return []
    data = frame.select(pl.col("_row"), self._value(column, valid, frame).alias("v")).filter(
        pl.col("v").is_not_null()
    )
    good = _exact(data["v"], _actes_ok)
    return [_errors(data.filter(~good), column, "nomenclature-actes-value", "nomenclature-actes-value")]


CustomRule = Callable[[CustomChecks, dict[str, Any], pl.DataFrame, dict[str, pl.Series]], list[pl.DataFrame]]
CUSTOM_RULES: dict[str, CustomRule] = {
    "french-siret-value": _siret,
    "siret": _siret,
    "one-of-required": _one_of_required,
    "year-interval-value": _year_interval,
    "cohesive-columns-value": _cohesive,
    "compare-columns-value": _compare,
    "sum-columns-value": _sum,
    "nomenclature-actes-value": _actes,
    "nomenclature-acte": _actes,
}


class Referentiel:
    """Checks only this platform can do: codes INSEE and SIREN against the référentiel, COLL_NOM against the SIREN."""

    def __init__(
        self, insee: list[tuple[str, str]], siren: list[tuple[str, str]], name: str | None, has_data: bool
    ) -> None:
        self.insee = insee
        self.siren = siren
        self.name_column = name
        self.note = (
            ""
            if has_data
            else "Référentiel des collectivités non chargé : codes INSEE et SIREN non comparés."
        )
        self.has_data = has_data

    @classmethod
    def for_schema(cls, fields: list[dict[str, Any]], mapping: dict[str, str]) -> Referentiel | None:
        names = [f["name"] for f in fields if f["name"] in mapping]
        insee = [(n, mapping[n]) for n in names if "insee" in n.lower()]
        siren = [
            (n, mapping[n])
            for n in names
            if "siren" in n.lower() or ("coll" in n.lower() and "siret" in n.lower())
        ]
        name_col = next((mapping[n] for n in names if n.lower().replace("_", "") in ("collnom",)), None)
        if not insee and not siren:
            return None
        try:
            from odl.territories.models import Territory

            has_data = Territory.objects.exists()
        except Exception:  # no database (a bare CLI install): the check is skipped and said so
            has_data = False
        return cls(insee, siren, name_col, has_data)

    def check(self, frame: pl.DataFrame) -> list[pl.DataFrame]:
        if not self.has_data:
            return []
        from odl.territories.models import Territory

        out = []
        for field_name, column in self.insee:
            values = frame.select(pl.col("_row"), pl.col(column).alias("v")).filter(
                pl.col("v").str.contains(r"^(\d{5}|2[AB]\d{3})$")
            )
            codes = values["v"].unique().to_list()
            known = (
                set(Territory.objects.filter(code__in=codes).values_list("code", flat=True))
                if codes
                else set()
            )
            out.append(
                _errors(
                    values.filter(~pl.col("v").is_in(list(known))),
                    field_name,
                    "referentiel-code",
                    "code-insee",
                )
            )
        for field_name, column in self.siren:
            data = frame.select(
                pl.col("_row"),
                pl.col(column).alias("v"),
                pl.col(column).str.slice(0, 9).alias("siren"),
                (pl.col(self.name_column) if self.name_column else pl.lit(None, dtype=pl.String)).alias(
                    "nom"
                ),
            ).filter(pl.col("v").str.contains(r"^\d{9}(\d{5})?$"))
            sirens = data["siren"].unique().to_list()
            names = (
                dict(Territory.objects.filter(siren__in=sirens).values_list("siren", "nom")) if sirens else {}
            )
            out.append(
                _errors(
                    data.filter(~pl.col("siren").is_in(list(names))), field_name, "referentiel-code", "siren"
                )
            )
            if self.name_column and names:
                known_rows = data.filter(pl.col("siren").is_in(list(names)) & pl.col("nom").is_not_null())
                mismatch = [
                    row
                    for row, siren, nom in known_rows.select("_row", "siren", "nom").iter_rows()
                    if not _same_name(nom, names[siren])
                ]
                if mismatch:
                    bad = known_rows.filter(pl.col("_row").is_in(mismatch)).with_columns(
                        pl.concat_str(
                            [pl.col("nom"), pl.lit(" ≠ "), pl.col("siren").replace_strict(names, default="")]
                        ).alias("v")
                    )
                    out.append(_errors(bad, "COLL_NOM", "referentiel-nom", "coll-nom"))
        return out


def _same_name(given: str, official: str) -> bool:
    a, b = fold(given), fold(official)
    return bool(a) and (a in b or b in a)


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


__all__ = ["LABELS", "Validator", "validate"]
