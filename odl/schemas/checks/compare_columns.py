"""Validata's ``compare-columns-value``: two columns of a row compare as the operator says."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from odl.schemas.checks.base import Batch, CustomCheck, Explained, errors, registry

_OPS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}
OPERATORS = {
    ">": "supérieure",
    ">=": "supérieure ou égale",
    "==": "égale",
    "<=": "inférieure ou égale",
    "<": "inférieure",
}


@registry.register
class CompareColumns(CustomCheck):
    name = code = "compare-columns-value"
    label = "Comparaison de colonnes"

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        c1, c2, op = self.params.get("column"), self.params.get("column2"), self.params.get("op")
        if not self.context.has(c1) or not self.context.has(c2) or op not in _OPS:
            return []
        ctx = self.context
        data = batch.frame.select(
            pl.col("_row"),
            ctx.typed(c1, batch).alias("a"),
            ctx.typed(c2, batch).alias("b"),
            ctx.value(c1, batch).alias("v"),
            ctx.value(c2, batch).alias("w"),
        )
        data = data.filter(pl.col("a").is_not_null() & pl.col("b").is_not_null())
        rule = f"{c1} {op} {c2}"
        if data.schema["a"] != data.schema["b"]:
            # A number against a text: frictionless cannot compare them and flags every such row.
            return [errors(data, c1, self.code, rule, detail="w")]
        bad = data.filter(~_OPS[str(op)](pl.col("a"), pl.col("b")))
        return [errors(bad, c1, self.code, rule, detail="w")]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        parts = error.rule.split(" ")
        if len(parts) == 3 and parts[1] in OPERATORS:
            other = f" (« {error.detail} »)" if error.detail else ""
            return (
                f"« {error.shown} » dans « {parts[0]} » doit être {OPERATORS[parts[1]]} "
                f"à la valeur de « {parts[2]} »{other} sur la même ligne."
            )
        return (
            f"La valeur « {error.shown} » de « {error.column} » ne respecte pas la comparaison attendue "
            f"({error.rule})."
        )
