"""``type``: each cell has the field's type and format, with frictionless' exact rules.

The fast polars expressions settle most values; the few they cannot (odd numbers, dates, URLs…) are
checked one by one with the exact rule, on distinct values only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, exact, registry, settle

DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URI_FAST = r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/[^\s]*)?$"
TYPE_FORMS = {
    "integer": "un nombre entier, sans espace ni décimale, par exemple 12",
    "number": "un nombre avec un point comme séparateur décimal et sans espace, par exemple 1234.56",
    "boolean": "une valeur parmi {values}",
    "date": "une date AAAA-MM-JJ, par exemple 2024-03-12",
    "datetime": "une date et une heure AAAA-MM-JJTHH:MM:SS, par exemple 2024-03-12T14:30:00Z",
    "year": "une année sur 4 chiffres, par exemple 2024",
    "array": 'une liste JSON, par exemple ["valeur 1","valeur 2"]',
    "geopoint": "des coordonnées [longitude, latitude], par exemple [2.35, 48.85]",
    "time": "une heure HH:MM:SS, par exemple 14:30:00",
    "yearmonth": "une année et un mois AAAA-MM, par exemple 2024-03",
}


def boolean_values(field: dict[str, Any]) -> list[str]:
    return list(field.get("trueValues", DEFAULT_TRUE)) + list(field.get("falseValues", DEFAULT_FALSE))


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


def type_ok(field: dict[str, Any], s: pl.Series) -> pl.Series:
    """True where the (non-missing) cell has the field's type and format."""
    kind, fmt = field.get("type", "string"), field.get("format", "default")
    if kind == "string":
        if fmt == "email":
            return exact(s, _email_ok)
        if fmt == "uri":
            return settle(s, s.str.contains(_URI_FAST), _uri_ok)
        return pl.Series(s.name, [True] * s.len(), dtype=pl.Boolean)
    if kind == "integer":
        return settle(s, s.str.contains(r"^[+-]?\d+$"), _int_ok)
    if kind == "number":
        return settle(s, s.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"), _number_ok)
    if kind == "boolean":
        return s.is_in(boolean_values(field))
    if kind == "date":
        if fmt in ("default", "%Y-%m-%d"):
            fast = (
                s.str.contains(r"^\d{4}-\d{2}-\d{2}$") & s.str.to_date("%Y-%m-%d", strict=False).is_not_null()
            )
            return settle(s, fast, _date_ok(fmt))
        return exact(s, _date_ok(fmt))
    if kind == "datetime":
        return exact(s, _datetime_ok(fmt))
    if kind == "year":
        return exact(s, _year_ok)
    if kind == "array":
        item_kind = field.get("arrayItem", {}).get("type")
        return exact(s, lambda v: _array_ok(v) and _items_ok(v, item_kind))
    if kind == "geopoint":
        return exact(s, _geopoint_ok(fmt))
    return pl.Series(s.name, [True] * s.len(), dtype=pl.Boolean)


@registry.register
class TypeRule(FieldRule):
    code = "type-error"
    rule = "type"
    label = "Valeur du mauvais type"
    stage = "type"
    order = 20

    def __init__(self, field: dict[str, Any]) -> None:
        self.field = field

    @classmethod
    def bind(cls, column: Column) -> TypeRule:
        return cls(column.field)

    def bad(self, values: pl.Series) -> pl.Series:
        return ~type_ok(self.field, values)

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        field = error.field
        if not field:
            return None
        v, shown = error.raw, error.shown
        kind = field.get("type", "string")
        fmt = field.get("format", "default")
        if kind == "date" and v.count("/") == 2:
            parts = v.split("/")
            if len(parts[2]) == 4:
                iso = f"{parts[2]}-{parts[1].zfill(2)}-{parts[0].zfill(2)}"
                return f"La date « {shown} » doit s'écrire AAAA-MM-JJ, par exemple {iso}."
        if kind == "number" and "," in v:
            fixed = v.replace(" ", "").replace(",", ".")
            return (
                f"Le nombre « {shown} » doit utiliser un point décimal et aucun espace, par exemple {fixed}."
            )
        if kind == "string" and fmt == "email":
            return f"« {shown} » n'est pas une adresse électronique valide (forme attendue : nom@domaine.fr)."
        if kind == "string" and fmt == "uri":
            return (
                f"« {shown} » n'est pas une adresse web complète (forme attendue : https://exemple.fr/page)."
            )
        if kind in ("date", "datetime") and fmt not in ("default", "any"):
            shape = fmt.replace("%Y", "AAAA").replace("%m", "MM").replace("%d", "JJ")
            return f"La valeur « {shown} » doit suivre le format {shape}."
        form = TYPE_FORMS.get(kind, f"une valeur de type {kind}")
        if kind == "boolean":
            form = form.format(values=", ".join(f"« {x} »" for x in boolean_values(field)))
        return f"La valeur « {shown} » doit être {form}."
