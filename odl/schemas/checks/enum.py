"""``enum``: the cell is one of the allowed values (compared as numbers for numeric fields)."""

from __future__ import annotations

from typing import Any

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, registry, typed_number


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
            return ~typed_number(self.column, values).is_in([float(x) for x in self.allowed])
        return ~values.is_in([str(x) for x in self.allowed])

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        allowed = ", ".join(f"« {x} »" for x in error.field.get("constraints", {}).get("enum", [])[:12])
        return f"« {error.shown} » n'est pas une valeur autorisée. Valeurs possibles : {allowed}."
