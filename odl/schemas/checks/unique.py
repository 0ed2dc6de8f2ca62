"""``unique``: a value appears once in its column, across every batch of the file."""

from __future__ import annotations

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, registry, repeats


@registry.register
class Unique(FieldRule):
    code = "unique-error"
    rule = "unique"
    label = "Valeur en double"
    order = 80

    def __init__(self) -> None:
        self.seen: set[str] = set()

    @classmethod
    def bind(cls, column: Column) -> Unique | None:
        return cls() if column.constraints.get("unique") else None

    def bad(self, values: pl.Series) -> pl.Series:
        return repeats(values, self.seen)

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"La valeur « {error.shown} » apparaît déjà plus haut dans la colonne « {error.column} », "
            "qui n'admet pas de doublon."
        )
