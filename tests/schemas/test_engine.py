"""The validation engine: Table Schema semantics, French checks, encodings, formats, big and bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from odl.core import exports
from odl.core.spreadsheets import UnreadableFile
from odl.schemas.engine import validate
from odl.schemas.registry import resolve
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv
from tests.schemas.corpus import DELIB_GOOD, DELIB_HEADER


def keys(report: dict) -> set[tuple]:  # type: ignore[type-arg]
    return {(e["ligne"], e["colonne"], e["code"], e["regle"]) for e in report["erreurs"]}


def run(path: Path, schema: str = "subventions", **kwargs: object) -> dict:  # type: ignore[type-arg]
    return validate(path, resolve(schema), referentiel=False, **kwargs).to_dict()  # type: ignore[arg-type]


def test_a_clean_file_is_valid(subventions_file: Path) -> None:
    report = run(subventions_file)
    assert report["valide"] is True
    assert report["resume"] == {
        "lignes": 5,
        "colonnes": 16,
        "erreurs": 0,
        "avertissements": 0,
        "par_code": {},
    }


def test_it_names_rows_as_a_spreadsheet_user_counts_them(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(3)]
    rows[1][2] = "12/03/2024"
    report = run(write_csv(tmp_path / "f.csv", SUB_HEADER, rows))
    [error] = report["erreurs"]
    assert (error["ligne"], error["colonne"], error["code"]) == (3, "dateConvention", "type-error")
    assert error["message"] == "La date « 12/03/2024 » doit s'écrire AAAA-MM-JJ, par exemple 2024-03-12."


def test_it_checks_every_table_schema_constraint(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(9)]
    rows[0][8] = "1 234,50"
    rows[1][9] = "Aide en numéraire"
    rows[2][6] = "W12"
    rows[3][7] = "x" * 257
    rows[4][14] = "0"
    rows[5][14] = "2"
    rows[6][4] = ""
    rows[7][13] = "peut-être"
    rows[8][12] = "123456"
    report = run(write_csv(tmp_path / "f.csv", SUB_HEADER, rows))
    assert keys(report) == {
        (2, "montant", "type-error", "type"),
        (3, "nature", "constraint-error", "enum"),
        (4, "rnaBeneficiaire", "constraint-error", "pattern"),
        (5, "objet", "constraint-error", "maxLength"),
        (6, "pourcentageSubvention", "constraint-error", "minimum"),
        (7, "pourcentageSubvention", "constraint-error", "maximum"),
        (8, "nomBeneficiaire", "constraint-error", "required"),
        (9, "notificationUE", "type-error", "type"),
        (10, "idRAE", "constraint-error", "maxLength"),
    }
    messages = {e["regle"]: e["message"] for e in report["erreurs"]}
    assert "Valeurs possibles : « aide en numéraire »" in messages["enum"]
    assert "par exemple 1234.50" in messages["type"] or "oui" in messages["type"]


def test_it_runs_validatas_french_checks(tmp_path: Path) -> None:
    rows = [list(DELIB_GOOD) for _ in range(6)]
    for i, row in enumerate(rows):
        row[2] = f"D{i}"
    rows[0][7] = "2024/2023"
    rows[1][8] = ""
    rows[2][10] = "2024-01-01"
    rows[3][13] = "30"
    rows[4][5] = "Finances / Budget"
    rows[5][1] = "21350238800018"
    report = run(write_csv(tmp_path / "d.csv", DELIB_HEADER, rows), "deliberations")
    assert {(e["ligne"], e["code"]) for e in report["erreurs"]} == {
        (2, "year-interval-value"),
        (3, "cohesive-columns-value"),
        (4, "compare-columns-value"),
        (5, "sum-columns-value"),
        (6, "nomenclature-actes-value"),
        (7, "french-siret-value"),
    }


def test_one_of_required_wants_a_siret_or_an_rna_number(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD)]
    rows[0][5] = ""
    rows[0][6] = ""
    report = run(write_csv(tmp_path / "f.csv", SUB_HEADER, rows))
    assert [(e["ligne"], e["code"]) for e in report["erreurs"]] == [(2, "one-of-required")]


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(",", "utf-8"), (";", "utf-8"), ("\t", "utf-8"), (";", "latin-1"), (",", "cp1252"), (";", "utf-8-sig")],
)
def test_it_reads_every_separator_and_encoding(tmp_path: Path, sep: str, encoding: str) -> None:
    rows = [list(SUB_GOOD) for _ in range(2)]
    rows[1][0] = "Commune d'Étables-sur-Mer"
    report = run(write_csv(tmp_path / "f.csv", SUB_HEADER, rows, sep=sep, encoding=encoding))
    assert report["valide"], report["erreurs"]
    assert report["fichier"]["separateur"] == sep


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_it_reads_workbooks(tmp_path: Path, fmt: str) -> None:
    rows = [list(SUB_GOOD) for _ in range(3)]
    rows[2][2] = "2024-13-01"
    path = tmp_path / f"f.{fmt}"
    path.write_bytes(exports.render(fmt, SUB_HEADER, rows))
    report = run(path)
    assert report["fichier"]["format"] == fmt
    assert {(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]} == {
        (4, "dateConvention", "type-error")
    }


def test_structure_problems_come_first_with_the_closest_name(tmp_path: Path) -> None:
    header = ["montnt" if h == "montant" else h for h in SUB_HEADER] + ["Commentaire"]
    header[0] = "NOMATTRIBUANT"
    rows = [list(SUB_GOOD) + ["x"]]
    report = run(write_csv(tmp_path / "f.csv", header, rows))
    first = report["erreurs"][0]
    assert first["categorie"] == "structure"
    structure = {
        (e["code"], e["colonne"] or e["valeur"], e["gravite"])
        for e in report["erreurs"]
        if e["categorie"] == "structure"
    }
    assert structure == {
        ("incorrect-label", "nomAttribuant", "error"),
        ("extra-label", "montnt", "warning"),
        ("extra-label", "Commentaire", "warning"),
        ("missing-label", "montant", "error"),
    }
    missing = next(e for e in report["erreurs"] if e["code"] == "missing-label")
    assert "montnt" in missing["message"]
    extra = next(e for e in report["erreurs"] if e["valeur"] == "montnt")
    assert "Vouliez-vous dire « montant »" in extra["message"]


def test_duplicate_columns_blank_rows_and_ragged_rows_are_reported(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(4)]
    rows[1] = [""] * len(SUB_HEADER)
    rows[2] = rows[2][:14]
    rows[3] = rows[3] + ["de trop"]
    report = run(write_csv(tmp_path / "f.csv", SUB_HEADER, rows))
    assert {(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]} == {
        (3, None, "blank-row"),
        (4, "pourcentageSubvention", "missing-cell"),
        (4, "pourcentageSubvention", "constraint-error"),
        (4, "dispositifAide", "missing-cell"),
        (5, None, "extra-cell"),
    }
    dup = write_csv(tmp_path / "dup.csv", SUB_HEADER + ["objet"], [list(SUB_GOOD) + ["x"]])
    assert [e["code"] for e in run(dup)["erreurs"]] == ["duplicate-label"]


def test_batches_give_the_same_report_as_one_read(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(400)]
    for i in range(0, 400, 7):
        rows[i][8] = "12,5"
    rows[123][7] = 'Objet avec "guillemets", virgule\net retour à la ligne'
    path = write_csv(tmp_path / "f.csv", SUB_HEADER, rows)
    whole = run(path)
    small = validate(path, resolve("subventions"), referentiel=False, chunk_bytes=2048).to_dict()
    assert keys(whole) == keys(small)
    assert whole["resume"] == small["resume"]


def test_a_utf8_file_whose_later_part_is_windows_1252_is_read_and_said(tmp_path: Path) -> None:
    # Chunks read as UTF-8 go to polars as their own bytes; in a chunk that is not UTF-8, each line is
    # read as UTF-8 when it is, else as Windows-1252: « é » comes out as « é » on both sides.
    rows = [list(SUB_GOOD) for _ in range(300)]
    rows[250][4] = "Association des fêtes"
    head = write_csv(tmp_path / "f.csv", SUB_HEADER, rows[:200]).read_bytes()
    tail = write_csv(tmp_path / "t.csv", SUB_HEADER, rows[200:]).read_bytes().split(b"\n", 1)[1]
    path = tmp_path / "mixte.csv"
    path.write_bytes(head + tail.decode("utf-8").encode("cp1252"))
    report = validate(path, resolve("subventions"), referentiel=False, chunk_bytes=2048).to_dict()
    assert report["valide"], report["erreurs"][:3]
    assert report["resume"]["lignes"] == 300
    assert any("pas la suite (après l'octet " in note for note in report["fichier"]["remarques"])
    with_bom = tmp_path / "bom.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + head)
    assert validate(with_bom, resolve("subventions"), referentiel=False, chunk_bytes=2048).to_dict()["valide"]


def test_uniqueness_and_primary_keys_hold_across_batches(tmp_path: Path) -> None:
    header = ["siretAcheteur", "urlProfilAcheteur", "urlDCAT", "coordonnees"]
    rows = [[f"{i:09d}00000", "https://a.fr/p", "https://a.fr/c", "x"] for i in range(300)]
    rows.append(list(rows[3]))
    path = write_csv(tmp_path / "dpa.csv", header, rows)
    report = validate(path, resolve("decp-dpa"), referentiel=False, chunk_bytes=1024).to_dict()
    assert (302, "siretAcheteur", "unique-error") in {
        (e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]
    }


def test_max_errors_cuts_the_list_but_counts_stay_exact(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(50)]
    for row in rows:
        row[2] = "hier"
    report = run(write_csv(tmp_path / "f.csv", SUB_HEADER, rows), max_errors=10)
    assert len(report["erreurs"]) == 10
    assert report["tronque"] is True
    assert report["resume"]["erreurs"] == 50
    assert report["groupes"][0]["nombre"] == 50


def test_a_two_megabyte_cell_is_checked_and_reported_briefly(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD)]
    rows[0][7] = "a" * (2 * 1024 * 1024)
    report = run(write_csv(tmp_path / "f.csv", SUB_HEADER, rows))
    [error] = report["erreurs"]
    assert error["regle"] == "maxLength"
    assert len(error["valeur"]) < 300 and len(error["message"]) < 300


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("vide.csv", b"", "vide"),
        ("doc.csv", b"%PDF-1.7\n%\xe2\xe3\n", "PDF"),
        ("bruit.csv", bytes(range(256)) * 40, "binaires"),
        ("faux.xlsx", b"nom;valeur\n", "pas un classeur valide"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ancien classeur"),
    ],
)
def test_files_that_are_not_tables_get_a_clear_french_message(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=expected):
        run(path)


def test_a_truncated_workbook_is_refused(tmp_path: Path) -> None:
    data = exports.render("xlsx", SUB_HEADER, [SUB_GOOD])
    path = tmp_path / "t.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match="tronqué"):
        run(path)


def test_a_zip_bomb_renamed_xlsx_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"\0" * (1024 * 1024)
            for _ in range(80):
                sheet.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(UnreadableFile, match="bombe de décompression"):
        run(path)


def test_the_progress_callback_reaches_the_end(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(200)]
    path = write_csv(tmp_path / "f.csv", SUB_HEADER, rows)
    seen: list[tuple[int, int]] = []
    validate(
        path,
        resolve("subventions"),
        referentiel=False,
        chunk_bytes=4096,
        progress=lambda s, d, t: seen.append((d, t)),
    )
    assert len(seen) > 1
    assert seen[-1][0] == seen[-1][1] == path.stat().st_size


def test_the_referentiel_flags_unknown_codes_and_a_name_that_does_not_match(
    small_referentiel: Path, tmp_path: Path
) -> None:
    rows = [list(DELIB_GOOD) for _ in range(3)]
    for i, row in enumerate(rows):
        row[2] = f"D{i}"
    rows[1][0] = "Commune de Bruz"
    rows[2][1] = "44088714900019"
    path = write_csv(tmp_path / "d.csv", DELIB_HEADER, rows)
    report = validate(path, resolve("deliberations")).to_dict()
    warnings = {(e["ligne"], e["code"]) for e in report["erreurs"] if e["gravite"] == "warning"}
    assert warnings == {(3, "referentiel-nom"), (4, "referentiel-code")}
    assert report["valide"] is True
