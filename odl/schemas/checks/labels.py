"""The header: each schema field finds its column; blank, duplicate, misspelt, extra and missing labels."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from odl.core.text import fold
from odl.schemas.checks.base import Check, Explained, registry

if TYPE_CHECKING:
    from odl.schemas.report import Report


class _Label(Check):
    category = "structure"


@registry.register
class HeaderRow(_Label):
    """Title rows above the header: the header was found lower down and validation starts there."""

    code = "header-row"
    label = "En-tête qui ne commence pas à la première ligne"

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        # The line of the header travels in ``detail`` (the error has no value or column of its own).
        line = int(error.detail) if error.detail.isdigit() else 2
        above = "la ligne" if line == 2 else f"les {line - 1} lignes"
        return (
            f"L'en-tête semble être à la ligne {line} : le fichier a été validé à partir de là. "
            f"Supprimez {above} au-dessus (titre, notes) : un fichier de données commence par la ligne "
            "des noms de colonnes."
        )


def header_score(cells: list[str], fields: list[dict[str, Any]]) -> int:
    """How many schema columns a row names (case, accents and spaces aside)."""
    names = {fold(str(f["name"])).replace(" ", "") for f in fields}
    return len({fold(c).replace(" ", "") for c in cells if c.strip()} & names)


def header_place(
    candidates: list[tuple[str | None, list[list[str]]]], fields: list[dict[str, Any]]
) -> tuple[str | None, int] | None:
    """Where the header really is, given the first rows of each sheet (the current sheet first), or
    None when the first row of the current sheet is as good as any: (sheet, row index)."""
    if not candidates or not candidates[0][1]:
        return None
    current = header_score(candidates[0][1][0], fields)
    best: tuple[int, str | None, int] = (current, candidates[0][0], 0)
    for sheet, rows in candidates:
        for index, row in enumerate(rows):
            score = header_score(row, fields)
            if score > best[0]:
                best = (score, sheet, index)
    score, sheet, index = best
    # Clearly better than the first row: a stray title word naming one column moves nothing.
    if (sheet, index) == (candidates[0][0], 0) or score < 2 or score <= 2 * current:
        return None
    return sheet, index


@registry.register
class BlankLabel(_Label):
    code = "blank-label"
    label = "Colonne sans nom"

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if error.position is None:
            return "Une colonne de l'en-tête n'a pas de nom."
        return (
            f"La colonne {error.position} de l'en-tête n'a pas de nom (colonne {error.position} sans nom) : "
            "donnez-lui le nom d'une colonne du schéma, ou supprimez-la si elle est vide."
        )


@registry.register
class DuplicateLabel(_Label):
    code = "duplicate-label"
    label = "Colonne en double"
    # Validata has no code of its own for it: a generic error on the whole header.
    validata_code = "error"
    validata_row_level = True

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return f"La colonne « {error.shown} » apparaît plusieurs fois dans l'en-tête : gardez-en une seule."


@registry.register
class IncorrectLabel(_Label):
    code = "incorrect-label"
    label = "Nom de colonne mal écrit"
    # A column written differently (case, accents, underscores) counts as missing for Validata; we name it
    # incorrect-label and still check its values. Same (row, column), same meaning: the column is not right.
    validata_code = "missing-label"

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"La colonne « {error.shown} » doit s'écrire exactement « {error.column} » "
            "(majuscules et accents compris)."
        )


@registry.register
class ExtraLabel(_Label):
    code = "extra-label"
    label = "Colonne en trop"

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return f"La colonne « {error.shown} » ne fait pas partie du schéma.{error.detail}"


@registry.register
class MissingLabel(_Label):
    code = "missing-label"
    label = "Colonne manquante"

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return f"La colonne « {error.column} » est absente de l'en-tête.{error.detail}"


def match_header(
    labels: list[str], fields: list[dict[str, Any]], primary_key: list[str], report: Report
) -> dict[str, str]:
    """Field name → file column (``c3``); every header problem goes to the report."""
    names = [f["name"] for f in fields]
    required = {f["name"] for f in fields if f.get("constraints", {}).get("required")} | set(primary_key)
    mapping: dict[str, str] = {}
    seen: set[str] = set()
    unknown: list[tuple[int, str]] = []
    for index, label in enumerate(labels):
        if label == "":
            report.add_structure(BlankLabel.code, None, "", index + 1, "error")
        elif label in seen:
            report.add_structure(DuplicateLabel.code, label, label, index + 1, "error")
        elif label in names and label not in mapping:
            mapping[label] = f"c{index}"
        else:
            unknown.append((index, label))
        seen.add(label)
    absent = [n for n in names if n not in mapping]
    extras: list[tuple[int, str]] = []
    for index, label in unknown:
        match = next((n for n in absent if fold(n).replace(" ", "") == fold(label).replace(" ", "")), None)
        if match and label.strip() and label not in names:
            mapping[match] = f"c{index}"
            absent.remove(match)
            report.add_structure(IncorrectLabel.code, match, label, index + 1, "error")
        elif label in names:
            continue  # a duplicate, already reported
        else:
            extras.append((index, label))
    folded_absent = {fold(n): n for n in absent}
    for index, label in extras:
        close = difflib.get_close_matches(fold(label), list(folded_absent), n=1, cutoff=0.6)
        hint = f" Vouliez-vous dire « {folded_absent[close[0]]} » ?" if close else ""
        # Validata, like frictionless with schema_sync, accepts extra columns: a warning, not an error.
        report.add_structure(ExtraLabel.code, None, label, index + 1, "warning", hint)
    extra_labels = {fold(label): label for _, label in extras}
    for name in absent:
        close = difflib.get_close_matches(fold(name), list(extra_labels), n=1, cutoff=0.6)
        hint = f" La colonne « {extra_labels[close[0]]} » de votre fichier lui ressemble." if close else ""
        severity = "error" if name in required else "warning"
        if severity == "warning":
            hint += " Elle est facultative : ajoutez-la vide si vous n'avez pas l'information."
        report.add_structure(MissingLabel.code, name, None, None, severity, hint)
    report.columns = len(labels)
    return mapping
