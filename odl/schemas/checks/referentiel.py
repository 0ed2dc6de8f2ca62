"""Checks only this platform can do: codes INSEE and SIREN against the référentiel of collectivités,
and COLL_NOM against the SIREN's official name. Warnings: the référentiel may lag behind the file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from odl.core.text import fold
from odl.schemas.checks.base import Batch, Check, Explained, Table, TableCheck, errors, registry

if TYPE_CHECKING:
    from odl.schemas.report import Report


def _same_name(given: str, official: str) -> bool:
    a, b = fold(given), fold(official)
    return bool(a) and (a in b or b in a)


@registry.register
class ReferentielName(Check):
    code = "referentiel-nom"
    label = "Nom différent du référentiel"
    category = "row"

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return f"Le nom de la collectivité ne correspond pas à son SIREN dans le référentiel : {error.shown}."


@registry.register
class Referentiel(TableCheck):
    code = "referentiel-code"
    label = "Code absent du référentiel"
    category = "row"
    severity = "warning"
    order = 20

    def __init__(
        self, insee: list[tuple[str, str]], siren: list[tuple[str, str]], name: str | None, has_data: bool
    ) -> None:
        self.insee = insee
        self.siren = siren
        self.name_column = name
        self.has_data = has_data

    @classmethod
    def bind(cls, table: Table) -> Referentiel | None:
        if not table.use_referentiel:
            return None
        mapping = table.mapping
        names = [f["name"] for f in table.fields if f["name"] in mapping]
        insee = [(n, mapping[n]) for n in names if "insee" in n.lower()]
        siren = [
            (n, mapping[n])
            for n in names
            if "siren" in n.lower() or ("coll" in n.lower() and "siret" in n.lower())
        ]
        name_col = next((mapping[n] for n in names if n.lower().replace("_", "") in ("collnom",)), None)
        if not insee and not siren:
            return None
        try:
            from odl.territories.models import Territory

            has_data = Territory.objects.exists()
        except Exception:  # no database (a bare CLI install): the check is skipped and said so
            has_data = False
        return cls(insee, siren, name_col, has_data)

    def check(self, batch: Batch) -> Iterable[pl.DataFrame]:
        if not self.has_data:
            return []
        from odl.territories.models import Territory

        frame = batch.frame
        out = []
        for field_name, column in self.insee:
            values = frame.select(pl.col("_row"), pl.col(column).alias("v")).filter(
                pl.col("v").str.contains(r"^(\d{5}|2[AB]\d{3})$")
            )
            codes = values["v"].unique().to_list()
            known = (
                set(Territory.objects.filter(code__in=codes).values_list("code", flat=True))
                if codes
                else set()
            )
            out.append(
                errors(values.filter(~pl.col("v").is_in(list(known))), field_name, self.code, "code-insee")
            )
        for field_name, column in self.siren:
            data = frame.select(
                pl.col("_row"),
                pl.col(column).alias("v"),
                pl.col(column).str.slice(0, 9).alias("siren"),
                (pl.col(self.name_column) if self.name_column else pl.lit(None, dtype=pl.String)).alias(
                    "nom"
                ),
            ).filter(pl.col("v").str.contains(r"^\d{9}(\d{5})?$"))
            sirens = data["siren"].unique().to_list()
            names = (
                dict(Territory.objects.filter(siren__in=sirens).values_list("siren", "nom")) if sirens else {}
            )
            out.append(
                errors(data.filter(~pl.col("siren").is_in(list(names))), field_name, self.code, "siren")
            )
            if self.name_column and names:
                known_rows = data.filter(pl.col("siren").is_in(list(names)) & pl.col("nom").is_not_null())
                mismatch = [
                    row
                    for row, siren, nom in known_rows.select("_row", "siren", "nom").iter_rows()
                    if not _same_name(nom, names[siren])
                ]
                if mismatch:
                    bad = known_rows.filter(pl.col("_row").is_in(mismatch)).with_columns(
                        pl.concat_str(
                            [pl.col("nom"), pl.lit(" ≠ "), pl.col("siren").replace_strict(names, default="")]
                        ).alias("v")
                    )
                    out.append(errors(bad, "COLL_NOM", ReferentielName.code, "coll-nom"))
        return out

    def finish(self, report: Report) -> None:
        if not self.has_data:
            report.notes.append(
                "Référentiel des collectivités non chargé : codes INSEE et SIREN non comparés."
            )

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"« {error.shown} » n'existe pas dans le référentiel des collectivités "
            "(code INSEE ou SIREN inconnu ou ancien)."
        )
