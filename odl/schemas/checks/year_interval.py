"""Validata's ``year-interval-value``: a period ``2023/2024`` (first year before the second), or a
single year when ``allow-year-only`` says so."""

from __future__ import annotations

import re

import polars as pl

from odl.schemas.checks.base import Batch, CustomCheck, Explained, errors, exact, registry


@registry.register
class YearInterval(CustomCheck):
    name = code = "year-interval-value"
    label = "Période d'années invalide"

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        column = self.params.get("column")
        if not self.context.has(column):
            return []
        allow = str(self.params.get("allow-year-only", "false")) in ("true", "yes")
        data = self.context.present(column, batch)

        def ok(v: str) -> bool:
            m = re.match(r"^(\d{4})/(\d{4})$", v)
            if not m:
                return allow and re.match(r"^\d{4}$", v) is not None
            return int(m.group(1)) < int(m.group(2))

        return [errors(data.filter(~exact(data["v"], ok)), column, self.code, self.code)]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"« {error.shown} » n'est pas une période valide : écrivez une année (2024) "
            "ou deux années qui se suivent (2023/2024)."
        )
