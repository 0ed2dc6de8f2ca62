"""Validata's ``french-siret-value``: 14 digits and a correct Luhn key (La Poste's SIRETs excepted)."""

from __future__ import annotations

import polars as pl

from odl.core.identifiers import luhn_ok
from odl.schemas.checks.base import ColumnCustomCheck, Explained, registry, settle


def siret_ok(v: str) -> bool:
    if len(v) != 14 or not v.isdigit():
        return False
    if v.startswith("356000000") and sum(int(c) for c in v) % 5 == 0:
        return True
    return luhn_ok(v)


def _luhn(s: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"v": s})
    total = pl.lit(0, dtype=pl.Int64)
    for i in range(14):
        d = pl.col("v").str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0)
        if (13 - i) % 2 == 1:
            d = pl.when(d * 2 > 9).then(d * 2 - 9).otherwise(d * 2)
        total = total + d
    return frame.select(((total % 10) == 0).alias("ok"))["ok"]


@registry.register
class FrenchSiret(ColumnCustomCheck):
    name = code = "french-siret-value"
    aliases = ("siret",)
    label = "SIRET invalide"
    # Validata files its French custom checks under one generic type.
    validata_code = "custom-check-error"

    def bad(self, values: pl.Series) -> pl.Series:
        distinct = values.unique()
        fast = distinct.str.contains(r"^\d{14}$") & _luhn(distinct)
        # ``implode``: polars deprecated ``is_in`` with a Series of the column's own type (its meaning
        # changes in a later release).
        return ~values.is_in(distinct.filter(settle(distinct, fast, siret_ok)).implode())

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return f"Le SIRET « {error.shown} » n'est pas valide : il faut 14 chiffres et une clé de contrôle correcte."
