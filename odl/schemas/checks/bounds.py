"""``minimum`` and ``maximum``: numbers, years and dates compared with the field's bounds."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, registry, typed_number


def _bound(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(date.fromisoformat(value).toordinal() - date(1970, 1, 1).toordinal())
        except ValueError:
            return float(value)
    return float(value)


class _Bound(FieldRule):
    code = "constraint-error"
    label = "Contrainte non respectée"
    key: ClassVar[str]

    def __init__(self, column: Column, bound: float) -> None:
        self.column = column
        self.bound = bound

    @classmethod
    def bind(cls, column: Column) -> _Bound | None:
        if cls.key not in column.constraints:
            return None
        return cls(column, _bound(column.constraints[cls.key]))


@registry.register
class Minimum(_Bound):
    rule = key = "minimum"
    order = 60

    def bad(self, values: pl.Series) -> pl.Series:
        return typed_number(self.column, values) < self.bound

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        bound = error.field.get("constraints", {}).get("minimum")
        return f"La valeur « {error.shown} » est trop petite : elle doit être au moins {bound}."


@registry.register
class Maximum(_Bound):
    rule = key = "maximum"
    order = 61

    def bad(self, values: pl.Series) -> pl.Series:
        return typed_number(self.column, values) > self.bound

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        bound = error.field.get("constraints", {}).get("maximum")
        return f"La valeur « {error.shown} » est trop grande : elle doit être au plus {bound}."
