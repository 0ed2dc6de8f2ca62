"""Validata's ``year-interval-value``: a period ``2023/2024`` (first year before the second), or a
single year when ``allow-year-only`` says so."""

from __future__ import annotations

import re

import polars as pl

from odl.schemas.checks.base import ColumnCustomCheck, Explained, exact, registry


@registry.register
class YearInterval(ColumnCustomCheck):
    name = code = "year-interval-value"
    label = "Période d'années invalide"

    def bad(self, values: pl.Series) -> pl.Series:
        allow = str(self.params.get("allow-year-only", "false")) in ("true", "yes")

        def ok(v: str) -> bool:
            m = re.match(r"^(\d{4})/(\d{4})$", v)
            if not m:
                return allow and re.match(r"^\d{4}$", v) is not None
            return int(m.group(1)) < int(m.group(2))

        return ~exact(values, ok)

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"« {error.shown} » n'est pas une période valide : écrivez une année (2024) "
            "ou deux années qui se suivent (2023/2024)."
        )
