"""``enum``: the cell is one of the allowed values (compared as numbers for numeric fields).

As in frictionless, numbers compare as ``Decimal``: ``NaN`` is never one of the allowed values (not even
when the list holds ``NaN``), ``INF`` matches ``INF``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, exact, registry, typed_number


@registry.register
class Enum(FieldRule):
    code = "constraint-error"
    rule = "enum"
    label = "Contrainte non respectée"
    order = 30

    def __init__(self, column: Column, allowed: list[Any]) -> None:
        self.column = column
        self.allowed = allowed

    @classmethod
    def bind(cls, column: Column) -> Enum | None:
        return cls(column, list(column.constraints["enum"])) if "enum" in column.constraints else None

    def bad(self, values: pl.Series) -> pl.Series:
        if self.column.kind in ("integer", "number"):
            numbers = typed_number(self.column, values)
            verdict = ~numbers.is_in([float(x) for x in self.allowed])
            odd = numbers.is_null() | numbers.is_nan()
            if self.column.kind == "integer" or not odd.any():
                return verdict
            index = odd.arg_true()
            return verdict.scatter(index, exact(values.gather(index), self._exact))
        return ~values.is_in([str(x) for x in self.allowed])

    def _exact(self, value: str) -> bool:
        """Frictionless' rule for the spellings floats cannot settle (NaN, sNaN): True when refused."""
        try:
            number = Decimal(value.strip())
            return not any(number == Decimal(str(x)) for x in self.allowed)
        except (InvalidOperation, ValueError):
            return True

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        allowed = ", ".join(f"« {x} »" for x in error.field.get("constraints", {}).get("enum", [])[:12])
        return f"« {error.shown} » n'est pas une valeur autorisée. Valeurs possibles : {allowed}."
