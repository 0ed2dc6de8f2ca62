"""Validata's ``nomenclature-actes-value``: « Matière/Sous-matière » from the ACTES nomenclature."""

from __future__ import annotations

import unicodedata

import polars as pl

from odl.schemas.checks.base import ColumnCustomCheck, Explained, exact, registry


def _normalise(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


_MATIERES = {
    _normalise(x)
    for x in (
        "Commande publique",
        "Urbanisme",
        "Domaine et patrimoine",
        "Fonction publique",
        "Institutions et vie politique",
        "Libertés publiques et pouvoirs de police",
        "Finances locales",
        "Domaines de compétences par thèmes",
        "Autres domaines de compétences",
    )
}


def actes_ok(value: str) -> bool:
    if "/" not in value:
        return False
    prefix = value[: value.find("/")]
    return _normalise(prefix) in _MATIERES and "/ " not in value


@registry.register
class NomenclatureActes(ColumnCustomCheck):
    name = code = "nomenclature-actes-value"
    aliases = ("nomenclature-acte",)
    label = "Nomenclature ACTES"
    # Validata files its French custom checks under one generic type.
    validata_code = "custom-check-error"

    def bad(self, values: pl.Series) -> pl.Series:
        return ~exact(values, actes_ok)

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"« {error.shown} » ne suit pas la nomenclature ACTES (« Matière/Sous-matière » sans espace "
            f"autour de « / »){error.detail}."
        )
