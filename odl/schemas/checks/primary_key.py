"""``primaryKey``: the combination of the key's columns appears once in the file."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from odl.schemas.checks.base import Batch, Explained, Table, TableCheck, errors, registry, repeats


@registry.register
class PrimaryKey(TableCheck):
    code = "primary-key"
    rule = "primaryKey"
    label = "Clé primaire en double"
    category = "row"
    order = 10

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.seen: set[str] = set()

    @classmethod
    def bind(cls, table: Table) -> PrimaryKey | None:
        columns = [table.mapping[n] for n in table.primary_key if n in table.mapping]
        # A key with a column absent is reported as missing-label; its combinations mean nothing.
        if not columns or len(columns) != len(table.primary_key):
            return None
        return cls(columns)

    def check(self, batch: Batch) -> Iterable[pl.DataFrame]:
        key = pl.concat_str([pl.col(c).fill_null("") for c in self.columns], separator="\u241f")
        keyed = batch.frame.select(pl.col("_row"), key.alias("v"))
        return [errors(keyed.filter(repeats(keyed["v"], self.seen)), None, self.code, "primaryKey")]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"La combinaison « {error.shown} » de la clé primaire apparaît déjà plus haut : "
            "chaque ligne doit être unique."
        )
