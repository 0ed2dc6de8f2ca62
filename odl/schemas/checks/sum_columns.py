"""Validata's ``sum-columns-value``: a column equals the sum of others on each row where all are given."""

from __future__ import annotations

import polars as pl

from odl.schemas.checks.base import Batch, CustomCheck, Explained, errors, registry


@registry.register
class SumColumns(CustomCheck):
    name = code = "sum-columns-value"
    label = "Somme de colonnes"

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        column = self.params.get("column")
        parts = list(self.params.get("columns", []))
        if not self.context.has(column):
            return []
        ctx = self.context
        values = [ctx.typed(p, batch) for p in parts]
        data = batch.frame.select(
            pl.col("_row"),
            ctx.typed(column, batch).alias("t"),
            pl.sum_horizontal(values).alias("s"),
            pl.all_horizontal([v.is_not_null() for v in values]).alias("all"),
            ctx.value(column, batch).alias("v"),
            *[ctx.value(p, batch).alias(f"_p{i}") for i, p in enumerate(parts)],
        )
        bad = data.filter(pl.col("t").is_not_null() & pl.col("all") & (pl.col("t") != pl.col("s")))
        # Joined on the (few) bad rows only.
        terms = [pl.col(f"_p{i}").str.strip_chars() for i in range(len(parts))]
        bad = bad.with_columns(pl.concat_str(terms, separator=" + ").alias("terms"))
        # The values that were added, and what they make: « 3 + 4 = 7 ».
        whole = pl.col("s").round(0) == pl.col("s")
        total = (
            pl.when(whole)
            .then(pl.col("s").cast(pl.Int64).cast(pl.String))
            .otherwise(pl.col("s").cast(pl.String))
        )
        bad = bad.with_columns(pl.concat_str([pl.col("terms"), pl.lit(" = "), total]).alias("d"))
        return [errors(bad, column, self.code, f"{column} = {' + '.join(str(p) for p in parts)}", detail="d")]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        values = f", soit {error.detail}" if error.detail else ""
        return (
            f"« {error.shown} » dans « {error.column} » doit être la somme des autres colonnes : "
            f"{error.rule}{values}."
        )
