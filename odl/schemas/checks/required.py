"""``required``: a cell of a required column (or of the primary key) must not be empty."""

from __future__ import annotations

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, registry


@registry.register
class Required(FieldRule):
    code = "constraint-error"
    rule = "required"
    label = "Contrainte non respectée"
    stage = "cell"
    order = 10

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing

    @classmethod
    def bind(cls, column: Column) -> Required | None:
        return cls(column.missing) if column.constraints.get("required") else None

    def bad(self, values: pl.Series) -> pl.Series:
        return values.is_in(self.missing)

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        return (
            f"La colonne « {error.column} » est obligatoire : cette cellule ne doit pas être vide"
            f"{error.example()}."
        )
