"""Plain-French explanations of every error, with the expected form and an example."""

from __future__ import annotations

from typing import Any

TYPE_FORMS = {
    "integer": "un nombre entier, sans espace ni décimale, par exemple 12",
    "number": "un nombre avec un point comme séparateur décimal et sans espace, par exemple 1234.56",
    "boolean": "une valeur parmi {values}",
    "date": "une date AAAA-MM-JJ, par exemple 2024-03-12",
    "datetime": "une date et une heure AAAA-MM-JJTHH:MM:SS, par exemple 2024-03-12T14:30:00Z",
    "year": "une année sur 4 chiffres, par exemple 2024",
    "array": 'une liste JSON, par exemple ["valeur 1","valeur 2"]',
    "geopoint": "des coordonnées [longitude, latitude], par exemple [2.35, 48.85]",
    "time": "une heure HH:MM:SS, par exemple 14:30:00",
    "yearmonth": "une année et un mois AAAA-MM, par exemple 2024-03",
}

OPERATORS = {
    ">": "supérieure",
    ">=": "supérieure ou égale",
    "==": "égale",
    "<=": "inférieure ou égale",
    "<": "inférieure",
}

LABELS = {
    "missing-label": "Colonne manquante",
    "extra-label": "Colonne en trop",
    "duplicate-label": "Colonne en double",
    "blank-label": "Colonne sans nom",
    "incorrect-label": "Nom de colonne mal écrit",
    "blank-row": "Ligne vide",
    "extra-cell": "Cellule en trop",
    "missing-cell": "Cellule manquante",
    "type-error": "Valeur du mauvais type",
    "constraint-error": "Contrainte non respectée",
    "unique-error": "Valeur en double",
    "primary-key": "Clé primaire en double",
    "french-siret-value": "SIRET invalide",
    "one-of-required": "Une des deux colonnes doit être remplie",
    "year-interval-value": "Période d'années invalide",
    "cohesive-columns-value": "Colonnes à remplir ensemble",
    "compare-columns-value": "Comparaison de colonnes",
    "sum-columns-value": "Somme de colonnes",
    "nomenclature-actes-value": "Nomenclature ACTES",
    "referentiel-code": "Code absent du référentiel",
    "referentiel-nom": "Nom différent du référentiel",
}


def _example(field: dict[str, Any] | None, examples: dict[str, str]) -> str:
    if not field:
        return ""
    example = examples.get(field["name"])
    return f", par exemple « {example} »" if example else ""


def explain(
    code: str,
    rule: str,
    column: str | None,
    value: str | None,
    field: dict[str, Any] | None,
    examples: dict[str, str],
    detail: str = "",
) -> str:
    v = "" if value is None else str(value)
    shown = v if len(v) <= 80 else v[:77] + "…"
    if code == "type-error" and field:
        kind = field.get("type", "string")
        fmt = field.get("format", "default")
        if kind == "date" and v.count("/") == 2:
            parts = v.split("/")
            if len(parts[2]) == 4:
                return f"La date « {shown} » doit s'écrire AAAA-MM-JJ, par exemple {parts[2]}-{parts[1].zfill(2)}-{parts[0].zfill(2)}."
        if kind == "number" and "," in v:
            return f"Le nombre « {shown} » doit utiliser un point décimal et aucun espace, par exemple {v.replace(' ', '').replace(',', '.')}."
        if kind == "string" and fmt == "email":
            return f"« {shown} » n'est pas une adresse électronique valide (forme attendue : nom@domaine.fr)."
        if kind == "string" and fmt == "uri":
            return (
                f"« {shown} » n'est pas une adresse web complète (forme attendue : https://exemple.fr/page)."
            )
        if kind in ("date", "datetime") and fmt not in ("default", "any"):
            return f"La valeur « {shown} » doit suivre le format {fmt.replace('%Y', 'AAAA').replace('%m', 'MM').replace('%d', 'JJ')}."
        form = TYPE_FORMS.get(kind, f"une valeur de type {kind}")
        if kind == "boolean":
            values = field.get("trueValues", ["true", "True", "TRUE", "1"]) + field.get(
                "falseValues", ["false", "False", "FALSE", "0"]
            )
            form = form.format(values=", ".join(f"« {x} »" for x in values))
        return f"La valeur « {shown} » doit être {form}."
    if code == "constraint-error" and field:
        c = field.get("constraints", {})
        if rule == "arrayItem":
            allowed = ", ".join(
                f"« {x} »" for x in field.get("arrayItem", {}).get("constraints", {}).get("enum", [])[:14]
            )
            return f"La liste {shown} contient une valeur non autorisée. Valeurs possibles : {allowed}."
        if rule == "required":
            return f"La colonne « {column} » est obligatoire : cette cellule ne doit pas être vide{_example(field, examples)}."
        if rule == "enum":
            allowed = ", ".join(f"« {x} »" for x in c.get("enum", [])[:12])
            return f"« {shown} » n'est pas une valeur autorisée. Valeurs possibles : {allowed}."
        if rule == "pattern":
            return f"« {shown} » n'a pas la forme attendue{_example(field, examples)} (motif {c.get('pattern')})."
        if rule == "maxLength":
            return f"Le texte fait {len(v)} caractères ; {c.get('maxLength')} au plus sont permis."
        if rule == "minLength":
            return f"Le texte fait {len(v)} caractères ; il en faut au moins {c.get('minLength')}."
        if rule == "minimum":
            return f"La valeur « {shown} » est trop petite : elle doit être au moins {c.get('minimum')}."
        if rule == "maximum":
            return f"La valeur « {shown} » est trop grande : elle doit être au plus {c.get('maximum')}."
    if code == "unique-error":
        return f"La valeur « {shown} » apparaît déjà plus haut dans la colonne « {column} », qui n'admet pas de doublon."
    if code == "primary-key":
        return f"La combinaison « {shown} » de la clé primaire apparaît déjà plus haut : chaque ligne doit être unique."
    if code == "blank-row":
        return "Cette ligne est entièrement vide : supprimez-la."
    if code == "extra-cell":
        return f"Cette ligne a plus de cellules que l'en-tête (valeur en trop : « {shown} ») : un séparateur de trop ?"
    if code == "missing-cell":
        return f"Cette ligne s'arrête avant la colonne « {column} » : il manque des séparateurs."
    if code == "missing-label":
        return f"La colonne « {column} » est absente de l'en-tête.{detail}"
    if code == "extra-label":
        return f"La colonne « {shown} » ne fait pas partie du schéma.{detail}"
    if code == "duplicate-label":
        return f"La colonne « {shown} » apparaît plusieurs fois dans l'en-tête : gardez-en une seule."
    if code == "blank-label":
        return "Une colonne de l'en-tête n'a pas de nom."
    if code == "incorrect-label":
        return (
            f"La colonne « {shown} » doit s'écrire exactement « {column} » (majuscules et accents compris)."
        )
    if code == "french-siret-value":
        return f"Le SIRET « {shown} » n'est pas valide : il faut 14 chiffres et une clé de contrôle correcte."
    if code == "year-interval-value":
        return f"« {shown} » n'est pas une période valide : écrivez une année (2024) ou deux années qui se suivent (2023/2024)."
    if code == "nomenclature-actes-value":
        return f"« {shown} » ne suit pas la nomenclature ACTES (« Matière/Sous-matière » sans espace autour de « / »){detail}."
    if code == "one-of-required":
        if value is None and detail:
            return detail.strip()
        return f"La colonne « {column} » et sa colonne jumelle sont vides : au moins l'une des deux doit être remplie."
    if code == "cohesive-columns-value":
        if detail:
            return detail.strip()
        together = (
            rule.removeprefix("ensemble : ") if rule.startswith("ensemble : ") else f"« {column} » et liées"
        )
        return f"Les colonnes {together} doivent être toutes remplies ou toutes vides sur une même ligne."
    if code == "compare-columns-value":
        parts = rule.split(" ")
        if len(parts) == 3 and parts[1] in OPERATORS:
            return (
                f"« {shown} » dans « {parts[0]} » doit être {OPERATORS[parts[1]]} à la valeur de « {parts[2]} » "
                "sur la même ligne."
            )
        return f"La valeur « {shown} » de « {column} » ne respecte pas la comparaison attendue ({rule})."
    if code == "sum-columns-value":
        return f"« {shown} » dans « {column} » doit être la somme des autres colonnes : {rule}."
    if code == "referentiel-code":
        return f"« {shown} » n'existe pas dans le référentiel des collectivités (code INSEE ou SIREN inconnu ou ancien)."
    if code == "referentiel-nom":
        return f"Le nom de la collectivité ne correspond pas à son SIREN dans le référentiel : {shown}."
    if detail:
        return detail.strip()
    return f"Valeur « {shown} » refusée par la règle {rule}."
