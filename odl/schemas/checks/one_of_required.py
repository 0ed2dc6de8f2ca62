"""Validata's ``one-of-required``: of two columns, at least one is filled on each row."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from odl.schemas.checks.base import Batch, CustomCheck, Explained, errors, registry

if TYPE_CHECKING:
    from odl.schemas.report import Report


@registry.register
class OneOfRequired(CustomCheck):
    name = code = "one-of-required"
    label = "Une des deux colonnes doit être remplie"
    validata_row_level = True

    def check_header(self, report: Report) -> None:
        cols = [self.params.get("column1"), self.params.get("column2")]
        if all(not self.context.has(c) for c in cols):
            self.header_error(
                report,
                f" Les colonnes « {cols[0]} » et « {cols[1]} » sont toutes deux absentes : il en faut au moins une.",
            )

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        c1, c2 = self.params.get("column1"), self.params.get("column2")
        if not self.context.has(c1) and not self.context.has(c2):
            return []
        a, b = self.context.value(c1, batch), self.context.value(c2, batch)
        data = batch.frame.select(pl.col("_row"), a.alias("a"), b.alias("b"))
        bad = data.filter(pl.col("a").is_null() & pl.col("b").is_null()).with_columns(
            pl.lit(None, dtype=pl.String).alias("v")
        )
        return [errors(bad, c1, self.code, self.code)]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if error.value is None and error.detail:
            return error.detail.strip()
        return (
            f"La colonne « {error.column} » et sa colonne jumelle sont vides : "
            "au moins l'une des deux doit être remplie."
        )
