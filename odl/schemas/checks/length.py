"""``minLength`` and ``maxLength``: the number of characters of the cell."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, registry


class _Length(FieldRule):
    code = "constraint-error"
    label = "Contrainte non respectée"
    key: ClassVar[str]

    def __init__(self, bound: int) -> None:
        self.bound = bound

    @classmethod
    def bind(cls, column: Column) -> _Length | None:
        return cls(int(column.constraints[cls.key])) if cls.key in column.constraints else None


@registry.register
class MinLength(_Length):
    rule = key = "minLength"
    order = 50

    def bad(self, values: pl.Series) -> pl.Series:
        return values.str.len_chars() < self.bound

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        bound = error.field.get("constraints", {}).get("minLength")
        return f"Le texte fait {len(error.raw)} caractères ; il en faut au moins {bound}."


@registry.register
class MaxLength(_Length):
    rule = key = "maxLength"
    order = 51

    def bad(self, values: pl.Series) -> pl.Series:
        return values.str.len_chars() > self.bound

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        bound = error.field.get("constraints", {}).get("maxLength")
        return f"Le texte fait {len(error.raw)} caractères ; {bound} au plus sont permis."
