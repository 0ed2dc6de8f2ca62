"""Checks only this platform can do: codes INSEE and SIREN against the référentiel of collectivités,
and COLL_NOM against the SIREN's official name. Warnings: the référentiel may lag behind the file.

Only the fields that name a collectivité are compared: each embedded schema declares them
(``collectivite``: the publisher's SIRET, a commune's code INSEE). A private aménageur's SIREN in an IRVE
file is not an unknown collectivité: on the other SIREN/SIRET fields only the check digit is verified.
A schema that declares nothing (from a file, from the catalogue) is compared on the fields whose name
says collectivité (``COLL_SIRET``, ``COLL_INSEE``…)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from odl.core.identifiers import luhn_ok
from odl.core.startup import models_ready
from odl.core.text import fold
from odl.schemas.checks.base import Batch, Check, Explained, Table, TableCheck, errors, registry

if TYPE_CHECKING:
    from odl.schemas.report import Report


def _same_name(given: str, official: str) -> bool:
    a, b = fold(given), fold(official)
    return bool(a) and (a in b or b in a)


def collectivite_fields(table: Table) -> list[str]:
    """The fields naming a collectivité: declared by the schema, else those whose name says so."""
    if table.collectivite is not None:
        return list(table.collectivite)
    names = [str(f["name"]) for f in table.fields]
    return [
        n for n in names if "coll" in n.lower() and any(k in n.lower() for k in ("siret", "siren", "insee"))
    ]


@registry.register
class IdentifierKey(TableCheck):
    """SIREN and SIRET fields that do not name a collectivité, with no SIRET check of the schema's own:
    their check digit (Luhn), as a warning (Validata checks nothing there)."""

    code = "cle-identifiant"
    label = "Clé de contrôle incorrecte"
    category = "row"
    severity = "warning"
    order = 25

    def __init__(self, columns: list[tuple[str, str]]) -> None:
        self.columns = columns

    @classmethod
    def bind(cls, table: Table) -> IdentifierKey | None:
        named = set(collectivite_fields(table))
        covered = {
            spec.get("params", {}).get("column")
            for spec in table.custom_specs
            if spec.get("name") in ("french-siret-value", "siret") and isinstance(spec.get("params"), dict)
        }
        columns = [
            (str(f["name"]), table.mapping[f["name"]])
            for f in table.fields
            if f["name"] in table.mapping
            and f["name"] not in named
            and f["name"] not in covered
            and any(k in str(f["name"]).lower() for k in ("siren", "siret"))
        ]
        return cls(columns) if columns else None

    def check(self, batch: Batch) -> Iterable[pl.DataFrame]:
        out = []
        for field_name, column in self.columns:
            values = batch.frame.select(pl.col("_row"), pl.col(column).alias("v")).filter(
                pl.col("v").str.contains(r"^(\d{9}|\d{14})$")
            )
            distinct = values["v"].unique().to_list()
            wrong = [v for v in distinct if not _key_ok(v)]
            out.append(errors(values.filter(pl.col("v").is_in(wrong)), field_name, self.code, "luhn"))
        return out

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        kind = "SIRET" if len(error.raw) == 14 else "SIREN"
        return (
            f"Le {kind} « {error.shown} » a une clé de contrôle incorrecte : vérifiez qu'aucun chiffre "
            "n'a été mal recopié."
        )


def _key_ok(value: str) -> bool:
    # La Poste's establishments share one SIREN and break the SIRET key: their own rule applies.
    if len(value) == 14 and value.startswith("356000000"):
        return sum(int(c) for c in value) % 5 == 0
    return luhn_ok(value)


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
        names = [n for n in collectivite_fields(table) if n in mapping]
        insee = [(n, mapping[n]) for n in names if "insee" in n.lower()]
        siren = [(n, mapping[n]) for n in names if "siren" in n.lower() or "siret" in n.lower()]
        name_col = next(
            (
                mapping[f["name"]]
                for f in table.fields
                if f["name"] in mapping and f["name"].lower() == "coll_nom"
            ),
            None,
        )
        if not insee and not siren:
            return None
        try:
            models_ready()  # odl validate starts without the models (odl/cli.py): this file needs them
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
