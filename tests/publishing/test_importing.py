"""Column matching of an import: accents, case, spacing, aliases, memory, and a header under a title."""

from __future__ import annotations

from pathlib import Path

from odl.publishing import importing
from odl.schemas.registry import known
from tests.publishing.helpers import MESSY_HEADER, messy_row, messy_xlsx


def test_names_compare_without_accents_case_spacing_or_camel_case() -> None:
    assert importing.key("Date de la convention") == importing.key("DATE DE LA CONVENTION")
    assert importing.key("dateConvention") == "dateconvention"
    assert importing.key("  Bénéficiaire ") == "beneficiaire"


def test_each_messy_column_finds_its_field_and_the_comment_stays_aside() -> None:
    mapping = importing.propose_mapping(MESSY_HEADER, known("subventions"), {})
    assert dict(zip(MESSY_HEADER, mapping, strict=True)) == {
        "Date de la convention": "dateConvention",
        "Bénéficiaire": "nomBeneficiaire",
        "SIRET": "idBeneficiaire",
        "OBJET": "objet",
        "Montant (€)": "montant",
        "Nature": "nature",
        "Conditions de versement": "conditionsVersement",
        "Période de versement": "datesPeriodeVersement",
        "Notification UE": "notificationUE",
        "Pourcentage": "pourcentageSubvention",
        "Commentaire interne": "",
    }


def test_what_the_collectivite_mapped_last_time_comes_first() -> None:
    remembered = {importing.key("Commentaire interne"): "referenceDecision", importing.key("SIRET"): ""}
    mapping = importing.propose_mapping(MESSY_HEADER, known("subventions"), remembered)
    assert mapping[MESSY_HEADER.index("Commentaire interne")] == "referenceDecision"
    assert mapping[MESSY_HEADER.index("SIRET")] == ""


def test_columns_that_match_nothing_are_all_kept_aside() -> None:
    assert importing.propose_mapping(["zorglub", "truc", ""], known("subventions"), {}) == ["", "", ""]


def test_two_columns_into_one_field_are_refused_in_french() -> None:
    problems = importing.mapping_problems(
        ["Montant", "Montant TTC"], ["montant", "montant"], known("subventions")
    )
    assert problems == [
        "Les colonnes « Montant », « Montant TTC » vont toutes dans le champ « montant » : un champ ne "
        "reçoit qu'une colonne. Choisissez-en une et mettez les autres de côté."
    ]


def test_the_header_is_found_under_a_title_row(tmp_path: Path) -> None:
    path = tmp_path / "messy.xlsx"
    path.write_bytes(messy_xlsx([messy_row(1), messy_row(2)]))
    grid = importing.read_grid(path, "messy.xlsx")
    index = importing.find_header(grid, known("subventions"))
    assert grid.rows[index][:2] == MESSY_HEADER[:2]
    assert grid.lines[index] == 3


def test_a_pdf_named_csv_and_a_broken_workbook_are_refused_with_a_message(tmp_path: Path) -> None:
    pdf = tmp_path / "liste.csv"
    pdf.write_bytes(b"%PDF-1.4\x00\x01binary")
    broken = tmp_path / "liste.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    for path in (pdf, broken, empty):
        try:
            importing.read_grid(path, path.name)
        except importing.ImportRefused as exc:
            assert path.name in str(exc)
        else:
            raise AssertionError(f"{path.name} accepté")
