"""Compare our reports with validata-table's: keys, normalisation, and the documented exceptions."""

from __future__ import annotations

from typing import Any

from odl.schemas.checks import registry

# Each check says how Validata names its code and whether Validata reports it on the whole row
# (see ``validata_code`` and ``validata_row_level`` in odl/schemas/checks/).
CODE_TO_VALIDATA = {
    code: registry.validata_code(code) for code in registry.by_code if registry.validata_code(code) != code
}
ROW_LEVEL_IN_VALIDATA = registry.validata_row_level()

# Files where the reference is wrong, with the reason. Keys are corpus case names.
REFERENCE_WRONG: dict[str, str] = {
    "subventions-entete-majuscules": (
        "validata-table plante (ValueError 'unmatched-header'), alors que les colonnes ne diffèrent que par la casse : "
        "nous signalons incorrect-label pour chacune et validons quand même les valeurs."
    ),
    "fichier-vide": "validata-table plante (« contenu vide ») ; nous refusons le fichier avec un message clair (code 2).",
    "pdf-renomme": "validata-table plante en décodant le PDF comme du texte ; nous le reconnaissons et le refusons (code 2).",
    "xlsx-tronque": "validata-table plante (« invalid excel file ») ; nous expliquons que le classeur est tronqué (code 2).",
}
# Single errors where the reference is wrong, as (case, row, column, code) seen only on its side.
REFERENCE_EXTRA: dict[tuple[str, int | None, str | None, str], str] = {
    ("subventions-lignes", 4, None, "one-of-required"): (
        "validata-table signale one-of-required sur une ligne entièrement vide en plus de blank-row : "
        "une ligne vide est une seule erreur (frictionless s'arrête à blank-row)."
    ),
}


def ours_keys(report: dict[str, Any]) -> set[tuple[int | None, str | None, str]]:
    keys = set()
    for error in report["erreurs"]:
        if error["gravite"] != "error" or error["code"].startswith("referentiel-"):
            continue
        code = error["code"]
        column = None if code in ROW_LEVEL_IN_VALIDATA else error["colonne"]
        if code == "duplicate-label":
            keys.add((None, None, "error"))
            continue
        keys.add((error["ligne"], column, CODE_TO_VALIDATA.get(code, code)))
    return keys


def validata_keys(result: dict[str, Any]) -> set[tuple[int | None, str | None, str]]:
    keys = set()
    for row, column, code in result["errors"]:
        if code in ROW_LEVEL_IN_VALIDATA:
            column = None
        keys.add((row, column or None, code))
    return keys
