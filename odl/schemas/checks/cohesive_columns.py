"""Validata's ``cohesive-columns-value``: a group of columns is all filled or all empty on each row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from odl.schemas.checks.base import Batch, CustomCheck, Explained, errors, registry

if TYPE_CHECKING:
    from odl.schemas.report import Report


@registry.register
class CohesiveColumns(CustomCheck):
    name = code = "cohesive-columns-value"
    label = "Colonnes à remplir ensemble"

    def _columns(self) -> list[Any]:
        return [self.params.get("column"), *self.params.get("othercolumns", [])]

    def check_header(self, report: Report) -> None:
        cols = self._columns()
        present = [c for c in cols if self.context.has(c)]
        if present and len(present) != len(cols):
            absent = ", ".join(c for c in cols if not self.context.has(c))
            self.header_error(
                report,
                f" Les colonnes {', '.join(cols)} vont ensemble : ajoutez {absent} ou retirez les autres.",
            )

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        cols = self._columns()
        column, others = cols[0], cols[1:]
        present = [c for c in cols if self.context.has(c)]
        if not present or len(present) != len(cols):
            return []
        value = self.context.value
        first = value(column, batch).is_null()
        differ = pl.any_horizontal([value(o, batch).is_null() != first for o in others])
        data = batch.frame.select(pl.col("_row"), differ.alias("bad"), value(column, batch).alias("v"))
        rule = "ensemble : " + ", ".join(str(c) for c in cols)
        return [errors(data.filter(pl.col("bad")), column, self.code, rule)]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if error.detail:
            return error.detail.strip()
        rule = error.rule
        together = (
            rule.removeprefix("ensemble : ")
            if rule.startswith("ensemble : ")
            else f"« {error.column} » et liées"
        )
        return f"Les colonnes {together} doivent être toutes remplies ou toutes vides sur une même ligne."
