"""The edge cases real publications hit (issue 9, items 1 to 10), each on a small file written here."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from odl.schemas.engine import validate
from odl.schemas.registry import Schema


def schema(*fields: dict[str, Any], **extra: Any) -> Schema:
    return Schema(name="essai", version="1.0", title="Essai", table_schema={"fields": list(fields), **extra})


def write(path: Path, rows: list[list[str]], sep: str = ",", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def report_of(path: Path, chosen: Schema, **kwargs: Any) -> dict[str, Any]:
    return validate(path, chosen, referentiel=False, **kwargs).to_dict()  # type: ignore[no-any-return]


def cell_errors(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(e["ligne"], e["colonne"], e["code"], e["regle"]) for e in report["erreurs"] if e["ligne"]}


# --- 1. NaN, INF and -INF against every numeric constraint ------------------------------------------

NON_FINITE = ["NaN", "nan", "INF", "-INF", "Infinity", "-inf", "sNaN", "1", "-1"]


@pytest.mark.parametrize(
    ("constraints", "refused"),
    [
        # Frictionless compares Decimals: NaN cannot be ordered, so every bound refuses it.
        ({"minimum": 0}, {"NaN", "nan", "-INF", "-inf", "sNaN", "-1"}),
        ({"maximum": 0}, {"NaN", "nan", "INF", "Infinity", "sNaN", "1"}),
        ({"minimum": -5, "maximum": 5}, {"NaN", "nan", "INF", "-INF", "Infinity", "-inf", "sNaN"}),
        # Table Schema v2's exclusive bounds follow the same rule.
        ({"exclusiveMinimum": 1}, {"NaN", "nan", "-INF", "-inf", "sNaN", "1", "-1"}),
        ({"exclusiveMaximum": -1}, {"NaN", "nan", "INF", "Infinity", "sNaN", "1", "-1"}),
        # NaN equals nothing, not even NaN; INF is INF.
        ({"enum": [1, "NaN", "INF"]}, {"NaN", "nan", "-INF", "-inf", "sNaN", "-1"}),
    ],
)
def test_non_finite_numbers_meet_every_numeric_constraint_as_in_frictionless(
    tmp_path: Path, constraints: dict[str, Any], refused: set[str]
) -> None:
    chosen = schema({"name": "n", "type": "number", "constraints": constraints})
    path = write(tmp_path / "n.csv", [["n"], *[[v] for v in NON_FINITE]])
    report = report_of(path, chosen)
    assert {e["valeur"] for e in report["erreurs"] if e["code"] == "constraint-error"} == refused
    # NaN, INF and -INF are numbers for Table Schema: never a type error.
    assert report["resume"]["par_code"].get("type-error") is None


def test_nan_against_a_bound_says_it_is_not_a_number(tmp_path: Path) -> None:
    chosen = schema({"name": "n", "type": "number", "constraints": {"minimum": 0}})
    report = report_of(write(tmp_path / "n.csv", [["n"], ["NaN"], ["-INF"]]), chosen)
    messages = {e["valeur"]: e["message"] for e in report["erreurs"]}
    assert "n'est pas un nombre (NaN)" in messages["NaN"]
    assert messages["-INF"] == "La valeur « -INF » est trop petite : elle doit être au moins 0."


# --- 5. Title rows above the header ------------------------------------------------------------------

TITLED = schema(
    {"name": "nom", "type": "string", "constraints": {"required": True}},
    {"name": "montant", "type": "number"},
    {"name": "date", "type": "date"},
)
TITLE_ROWS = [["Subventions versées en 2024"], ["Mise à jour : mars 2025"], []]
BODY = [["nom", "montant", "date"], ["Club", "12.5", "2024-01-02"], ["École", "douze", "2024-01-03"]]


def header_error(report: dict[str, Any]) -> dict[str, Any]:
    [error] = [e for e in report["erreurs"] if e["code"] == "header-row"]
    return error


@pytest.mark.parametrize("sep", [",", ";"])
def test_a_csv_with_title_rows_is_validated_from_its_real_header(tmp_path: Path, sep: str) -> None:
    report = report_of(write(tmp_path / "t.csv", TITLE_ROWS + BODY, sep=sep), TITLED)
    assert "L'en-tête semble être à la ligne 4" in header_error(report)["message"]
    assert report["fichier"]["separateur"] == sep
    # Only the real error is left, at the line a spreadsheet shows.
    assert {(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]} == {
        (None, None, "header-row"),
        (6, "montant", "type-error"),
    }
    assert report["resume"]["lignes"] == 2
    assert report["valide"] is False


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_workbook_with_title_rows_is_validated_from_its_real_header(tmp_path: Path, fmt: str) -> None:
    from odl.core import exports

    path = tmp_path / f"t.{fmt}"
    rows = [r + [""] * (3 - len(r)) for r in TITLE_ROWS[:2] + BODY]
    path.write_bytes(exports.render(fmt, rows[0], rows[1:]))
    report = report_of(path, TITLED)
    assert "L'en-tête semble être à la ligne 3" in header_error(report)["message"]
    assert {(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]} == {
        (None, None, "header-row"),
        (5, "montant", "type-error"),
    }


def test_a_header_on_the_first_row_is_left_where_it_is(tmp_path: Path) -> None:
    # A first row naming one column is not moved for a lower row naming only two.
    rows = [["nom", "autre", "chose"], ["x", "y", "z"], ["nom", "montant", "w"]]
    report = report_of(write(tmp_path / "t.csv", rows), TITLED)
    assert not [e for e in report["erreurs"] if e["code"] == "header-row"]


def test_the_schema_is_guessed_below_title_rows_and_the_corrected_copy_drops_them(tmp_path: Path) -> None:
    from odl.schemas.registry import resolve
    from odl.schemas.service import validate_file
    from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

    path = write(tmp_path / "s.csv", [["Subventions 2024"], SUB_HEADER, SUB_GOOD])

    def choose(header: list[str]) -> Schema:
        from odl.schemas.registry import SchemaNotFound

        if "montant" not in header:
            raise SchemaNotFound("aucun")
        return resolve("subventions")

    fixed = tmp_path / "fixed.csv"
    result = validate_file(path, choose, referentiel=False, fix=fixed)
    assert result.schema.name == "subventions"
    assert result.counts == {"header-row": 1}
    assert fixed.read_text(encoding="utf-8").splitlines()[0].startswith("nomAttribuant,")


# --- 2. Référentiel only on the fields that name a collectivité -------------------------------------

IRVE_LIKE = [
    {"name": "COLL_SIRET", "type": "string"},
    {"name": "siren_amenageur", "type": "string"},
    {"name": "code_insee_commune", "type": "string"},
]


def warnings_of(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"] if e["gravite"] == "warning"}


def test_a_private_siren_is_not_an_unknown_collectivite_only_its_key_is_checked(
    small_referentiel: Path, tmp_path: Path
) -> None:
    chosen = schema(*IRVE_LIKE)
    chosen.collectivite = ["COLL_SIRET", "code_insee_commune"]
    rows = [
        ["COLL_SIRET", "siren_amenageur", "code_insee_commune"],
        ["21350238800019", "440887149", "35238"],  # Rennes; a private SIREN with a right key
        ["44088714900019", "440887148", "99999"],  # not a collectivité; a wrong key; no such commune
    ]
    report = validate(write(tmp_path / "irve.csv", rows), chosen).to_dict()
    assert warnings_of(report) == {
        (3, "COLL_SIRET", "referentiel-code"),
        (3, "code_insee_commune", "referentiel-code"),
        (3, "siren_amenageur", "cle-identifiant"),
    }
    key = next(e for e in report["erreurs"] if e["code"] == "cle-identifiant")
    assert key["message"].startswith("Le SIREN « 440887148 » a une clé de contrôle incorrecte")
    assert report["valide"] is True


def test_a_schema_that_declares_nothing_compares_only_the_fields_named_coll(
    small_referentiel: Path, tmp_path: Path
) -> None:
    rows = [["COLL_SIRET", "siren_amenageur", "code_insee_commune"], ["44088714900019", "440887149", "99999"]]
    report = validate(write(tmp_path / "irve.csv", rows), schema(*IRVE_LIKE)).to_dict()
    assert warnings_of(report) == {(2, "COLL_SIRET", "referentiel-code")}


def test_every_embedded_schema_declares_its_collectivite_fields() -> None:
    from odl.schemas.registry import embedded, resolve

    for name in embedded():
        declared = resolve(name).collectivite
        assert declared is not None, name
        assert set(declared) <= set(resolve(name).field_names), name
    assert resolve("irve-statique").collectivite == ["code_insee_commune"]
    assert resolve("deliberations").collectivite == ["COLL_SIRET"]


# --- 6. An extra cell shows its value, and speaks of separators only in a CSV ------------------------

TWO = schema({"name": "a", "type": "string"}, {"name": "b", "type": "string"})


def test_an_extra_cell_shows_the_extra_value(tmp_path: Path) -> None:
    rows = [["a", "b"], ["1", "2", "de trop"], ['"x,y"', "2", "3", "4"]]
    report = report_of(write(tmp_path / "e.csv", rows), TWO)
    extra = {e["ligne"]: e for e in report["erreurs"] if e["code"] == "extra-cell"}
    assert extra[2]["valeur"] == "de trop"
    assert "« de trop »" in extra[2]["message"] and "séparateur" in extra[2]["message"]
    assert extra[3]["valeur"] == "3,4"


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_an_extra_cell_in_a_workbook_never_speaks_of_separators(tmp_path: Path, fmt: str) -> None:
    from odl.core import exports

    path = tmp_path / f"e.{fmt}"
    path.write_bytes(exports.render(fmt, ["a", "b", ""], [["1", "2", "oublié"], ["3", "4", ""]]))
    report = report_of(path, TWO)
    [extra] = [e for e in report["erreurs"] if e["code"] == "extra-cell"]
    assert (extra["ligne"], extra["valeur"]) == (2, "oublié")
    assert "séparateur" not in extra["message"] and "« oublié »" in extra["message"]


# --- 7. A value wrong only because of the spaces around it says so -----------------------------------


def test_a_value_wrong_only_because_of_spaces_says_so(tmp_path: Path) -> None:
    chosen = schema(
        {
            "name": "nature",
            "type": "string",
            "constraints": {"enum": ["aide en numéraire", "aide en nature"]},
        },
        {"name": "date", "type": "date"},
        {"name": "code", "type": "string", "constraints": {"pattern": "[0-9]{5}"}},
    )
    rows = [
        ["nature", "date", "code"],
        ["aide en numéraire ", " 2024-01-02", " 35238 "],
        ["aide en espèces ", "2024-13-02 ", "3523 "],
    ]
    report = report_of(write(tmp_path / "s.csv", rows), chosen)
    messages = {(e["ligne"], e["colonne"]): e["message"] for e in report["erreurs"]}
    assert messages[(2, "nature")].startswith("« aide en numéraire  » a un espace en trop à la fin")
    assert "espace en trop au début" in messages[(2, "date")]
    assert "espace en trop au début et à la fin" in messages[(2, "code")]
    # Still wrong without the spaces: the usual message.
    assert "espace" not in messages[(3, "nature")] and "Valeurs possibles" in messages[(3, "nature")]
    assert "espace" not in messages[(3, "date")]
    assert "espace" not in messages[(3, "code")]


# --- 9. compare-columns and sum-columns show the other values ---------------------------------------


def test_row_checks_show_the_values_of_the_other_columns(tmp_path: Path) -> None:
    chosen = schema(
        {"name": "debut", "type": "integer"},
        {"name": "fin", "type": "integer"},
        {"name": "total", "type": "number"},
        custom_checks=[
            {"name": "compare-columns-value", "params": {"column": "debut", "column2": "fin", "op": "<="}},
            {"name": "sum-columns-value", "params": {"column": "total", "columns": ["debut", "fin"]}},
        ],
    )
    rows = [["debut", "fin", "total"], ["2025", "2024", "4049"], ["3", "4", "7.5"], ["1", "2", "3"]]
    report = report_of(write(tmp_path / "c.csv", rows), chosen)
    messages = {(e["ligne"], e["code"]): e["message"] for e in report["erreurs"]}
    assert messages[(2, "compare-columns-value")] == (
        "« 2025 » dans « debut » doit être inférieure ou égale à la valeur de « fin » (« 2024 ») sur la même ligne."
    )
    assert messages[(3, "sum-columns-value")] == (
        "« 7.5 » dans « total » doit être la somme des autres colonnes : total = debut + fin, soit 3 + 4 = 7."
    )
    assert (4, "sum-columns-value") not in messages and (2, "sum-columns-value") not in messages


# --- 10. A blank header cell says which column it is -----------------------------------------------


def test_a_blank_header_cell_says_its_position(tmp_path: Path) -> None:
    rows = [["a", "b", "", "c", ""], ["1", "2", "", "3", ""]]
    report = report_of(write(tmp_path / "h.csv", rows), TWO)
    blank = sorted(e["message"] for e in report["erreurs"] if e["code"] == "blank-label")
    assert [m.split(" (")[1].split(")")[0] for m in blank] == ["colonne 3 sans nom", "colonne 5 sans nom"]


# --- 8. The sheet read, the sheets ignored: said in the text report ---------------------------------


def test_a_workbook_with_its_data_on_the_third_sheet_is_read_there_and_says_so(tmp_path: Path) -> None:
    import xlsxwriter

    from odl.schemas.report import render_text

    path = tmp_path / "classeur.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Notice").write(0, 0, "Ce classeur présente les subventions de la commune.")
    workbook.add_worksheet("Sources").write_row(0, 0, ["source", "date"])
    data = workbook.add_worksheet("Données")
    data.write_row(0, 0, ["nom", "montant", "date"])
    data.write_row(1, 0, ["Club", "douze", "2024-01-02"])
    workbook.close()
    report = report_of(path, TITLED)
    assert report["fichier"]["feuille"] == "Données"
    assert {(e["ligne"], e["colonne"], e["code"]) for e in report["erreurs"]} == {
        (2, "montant", "type-error")
    }
    text = render_text(report)
    assert "Remarque : feuille « Données » lue ; autres feuilles ignorées : « Notice », « Sources »" in text
    assert "missing-label" not in text


# --- 3. What the engine does not apply is said, never passed over ------------------------------------


def test_schema_keys_the_engine_does_not_apply_become_remarks(tmp_path: Path) -> None:
    from odl.schemas.report import render_text

    chosen = schema(
        {
            "name": "id",
            "type": "string",
            "format": "uuid",
            "constraints": {"format": "^x$", "required": True},
        },
        {"name": "montant", "type": "number", "decimalChar": ",", "title": "Montant", "example": "1,5"},
        {"name": "heure", "type": "time"},
        {"name": "autre", "type": "time"},
        foreignKeys=[{"fields": "id", "reference": {"resource": "", "fields": "id"}}],
        title="Essai",
        missingValues=[""],
    )
    report = report_of(
        write(tmp_path / "k.csv", [["id", "montant", "heure", "autre"], ["a", "1,5", "x", "y"]]), chosen
    )
    assert report["remarques"] == [
        "Contrainte non prise en compte : « foreignKeys » du schéma ; elle n'a pas été vérifiée.",
        "Contrainte non prise en compte : format « uuid » du type « string » du champ « id » ; elle n'a pas été vérifiée.",
        "Contrainte non prise en compte : constraints.format du champ « id » ; elle n'a pas été vérifiée.",
        "Contrainte non prise en compte : « decimalChar » du champ « montant » ; elle n'a pas été vérifiée.",
        "Contrainte non prise en compte : type « time » des champs « heure », « autre » ; elle n'a pas été vérifiée.",
    ]
    assert "Remarque : Contrainte non prise en compte : « foreignKeys »" in render_text(report)


def test_an_embedded_schema_applies_every_key_it_has() -> None:
    from odl.schemas.coverage import unapplied
    from odl.schemas.registry import embedded, resolve

    assert {name: unapplied(resolve(name).table_schema) for name in embedded()} == dict.fromkeys(
        embedded(), []
    )


# --- 4. UTF-16, and the encoding the body was really read with ----------------------------------------

ACCENTS = [
    ["nom", "montant", "date"],
    ["Comité des fêtes", "12.5", "2024-01-02"],
    ["École", "3", "2024-01-03"],
]


@pytest.mark.parametrize(
    ("encoding", "reported"), [("utf-16", None), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")]
)
def test_a_utf16_csv_is_read(tmp_path: Path, encoding: str, reported: str | None) -> None:
    path = write(tmp_path / "u.csv", ACCENTS, sep=";", encoding=encoding)
    report = report_of(path, TITLED)
    assert report["valide"], report["erreurs"]
    assert report["resume"]["lignes"] == 2
    assert report["fichier"]["encodage"] in ({reported} if reported else {"utf-16-le", "utf-16-be"})
    assert report["fichier"]["separateur"] == ";"
    assert report["fichier"]["taille"] == path.stat().st_size
    assert not list(Path(__import__("tempfile").gettempdir()).glob("odl-utf16-*"))


def test_the_corrected_copy_of_a_utf16_file_is_utf8(tmp_path: Path) -> None:
    from odl.schemas.service import validate_file

    path = write(tmp_path / "u.csv", ACCENTS, encoding="utf-16")
    fixed = tmp_path / "fixed.csv"
    result = validate_file(path, TITLED, referentiel=False, fix=fixed)
    assert result.valid
    assert "Comité des fêtes" in fixed.read_text(encoding="utf-8")
    assert any(c["regle"] == "encodage converti en UTF-8" for c in result.corrections)


def test_a_utf8_bom_over_a_windows_1252_body_is_reported_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "nom,montant,date\nComité,1,2024-01-02\n".encode("cp1252"))
    report = report_of(path, TITLED)
    assert report["fichier"]["encodage"] == "windows-1252"
    assert any("BOM" in note for note in report["fichier"]["remarques"])
    assert report["valide"]


def test_a_utf8_file_whose_later_part_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    good = "".join(f"Comité {i},1,2024-01-02\n" for i in range(400)).encode("utf-8")
    path.write_bytes(b"nom,montant,date\n" + good + "Fête,1,2024-01-02\n".encode("cp1252"))
    report = report_of(path, TITLED, chunk_bytes=4096)
    assert report["fichier"]["encodage"] == "windows-1252"
    assert any("pas la suite" in note for note in report["fichier"]["remarques"])


# --- 5 and 8 on the web page: a titled workbook, its schema guessed, the sheet read said ---------------


@pytest.mark.django_db
def test_the_web_page_guesses_the_schema_below_a_title_and_shows_the_sheet_read(
    client: Any, tmp_path: Path, settings: Any
) -> None:
    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

    settings.DATA_DIR = tmp_path / "var"
    path = tmp_path / "subventions.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Lisez-moi").write(0, 0, "Données publiées par la commune.")
    sheet = workbook.add_worksheet("Subventions 2024")
    sheet.write(0, 0, "Subventions versées en 2024")
    sheet.write_row(2, 0, SUB_HEADER)
    sheet.write_row(3, 0, SUB_GOOD)
    workbook.close()
    response = client.post(
        "/validation/", {"file": SimpleUploadedFile(path.name, path.read_bytes()), "schema": "auto"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "subventions" in page
    assert "feuille « Subventions 2024 » lue ; autres feuilles ignorées : « Lisez-moi »" in page
    assert "L&#x27;en-tête semble être à la ligne 3" in page or "L'en-tête semble être à la ligne 3" in page
