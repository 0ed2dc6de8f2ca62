import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from odl.territories.models import Kind, Territory

pytestmark = pytest.mark.usefixtures("small_referentiel")


def test_the_ciblage_page_lists_the_obliged_collectivites_of_a_region(client: Client) -> None:
    response = client.get("/ciblage/", {"region": "53"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rennes" in page and "Acigné" in page
    assert "3 512 hab. &gt; 3 500 ; effectif non renseigné" in page
    assert "Amanlis" not in page  # 3 500 is not strictly above the threshold
    assert "Ajaccio" not in page  # another région
    assert "Ille-et-Vilaine" in page and "Bretagne" in page


def test_changing_the_threshold_changes_the_list(client: Client) -> None:
    page = client.get("/ciblage/", {"region": "53", "seuil": "15000"}).content.decode()
    assert "Bruz" in page and "Pacé" not in page and "Acigné" not in page


def test_a_population_band_and_a_kind_filter(client: Client) -> None:
    response = client.get(
        "/ciblage/", {"region": "53", "pop_min": "10000", "pop_max": "80000", "kind": "commune"}
    )
    rows = response.context["result"].rows
    assert {r["nom"] for r in rows} == {"Bruz", "Pacé", "Betton", "Saint-Brieuc"}


def test_all_collectivites_can_be_shown_with_their_status(client: Client) -> None:
    rows = (
        client.get("/ciblage/", {"departement": "35", "toutes": "1", "kind": "commune"})
        .context["result"]
        .rows
    )
    amanlis = next(r for r in rows if r["code"] == "35002")
    assert amanlis["obligation"] == "non"
    assert amanlis["raison"] == "3 500 hab. ≤ 3 500"


def test_sorting_by_any_column(client: Client) -> None:
    rows = (
        client.get("/ciblage/", {"departement": "35", "kind": "commune", "tri": "nom"}).context["result"].rows
    )
    assert [r["nom"] for r in rows] == ["Acigné", "Betton", "Bruz", "Pacé", "Rennes"]
    rows = (
        client.get("/ciblage/", {"departement": "35", "kind": "commune", "tri": "-population"})
        .context["result"]
        .rows
    )
    assert rows[0]["nom"] == "Rennes"


@pytest.mark.parametrize("query", ["saint brieuc", "SAINT-BRIEUC", "22278", "212202782", "22000"])
def test_search_ignores_accents_and_case_and_accepts_codes(client: Client, query: str) -> None:
    rows = client.get("/ciblage/", {"q": query, "kind": "commune"}).context["result"].rows
    assert [r["code"] for r in rows] == ["22278"]


def test_search_finds_a_delegated_commune_under_its_commune(client: Client) -> None:
    page = client.get("/recherche/", {"q": "pace le vieux"}).content.decode()
    assert "Pacé-le-Vieux" in page and "rattachée à" in page


def test_an_epci_perimeter_contains_its_communes_and_itself(client: Client) -> None:
    rows = client.get("/ciblage/", {"epci": "243500139"}).context["result"].rows
    assert {r["code"] for r in rows} == {"243500139", "35238", "35047", "35206", "35001", "35024"}


def test_several_perimeters_combine_as_a_union(client: Client) -> None:
    rows = client.get("/ciblage/", {"departement": ["22", "2A"], "kind": "commune"}).context["result"].rows
    assert {r["code"] for r in rows} == {"22278", "22050", "2A004"}


def test_the_summary_counts_by_kind(client: Client) -> None:
    summary = client.get("/ciblage/", {"region": "53"}).context["result"].summary
    counts = {k["kind"]: k["count"] for k in summary["by_kind"]}
    assert counts == {"region": 1, "departement": 2, "epci": 2, "commune": 7}
    assert summary["total"] == 12
    assert summary["commune_population"] == 227830 + 19231 + 12403 + 3512 + 12600 + 44372 + 3700


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "99"}, "Région inconnu(e) : 99"),
        ({"seuil": "beaucoup"}, "n&#x27;est pas un nombre entier"),
        ({"epci": "123456789"}, "clé de contrôle invalide"),
        ({"pop_min": "9000", "pop_max": "10"}, "supérieure à la population maximale"),
        ({"kind": "canton"}, "Type de collectivité inconnu"),
        ({"seuil": "99999999999999999999999"}, "dépasse 1 000 000 000 habitants"),
    ],
)
def test_bad_criteria_get_a_french_message_not_a_500(
    client: Client, params: dict[str, str], message: str
) -> None:
    response = client.get("/ciblage/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_csv_export_is_semicolon_separated_utf8_with_bom(client: Client) -> None:
    response = client.get("/ciblage/export.csv", {"region": "53", "kind": "commune", "tri": "nom"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith(
        "\ufeffkind;code;siren;nom;population;millesime;departement;region;epci_siren;obligation;raison"
    )
    assert (
        'commune;35001;213500010;Acigné;3512;2023;35;53;243500139;a_confirmer;"3 512 hab. > 3 500 ; effectif non renseigné"'
        in text
    )
    assert len(text.strip().splitlines()) == 1 + 7


def test_csv_export_with_commas_on_demand(client: Client) -> None:
    text = client.get("/ciblage/export.csv", {"region": "53", "sep": "virgule"}).content.decode("utf-8")
    assert text.splitlines()[0].startswith("\ufeffkind,code,siren,nom")


def test_xlsx_and_ods_exports_hold_exactly_the_rows_shown(client: Client) -> None:
    shown = client.get("/ciblage/", {"region": "53", "pop_min": "10000"}).context["result"].rows
    for fmt in ("xlsx", "ods"):
        response = client.get(f"/ciblage/export.{fmt}", {"region": "53", "pop_min": "10000"})
        assert response.status_code == 200
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
        assert sheet[0][:4] == ["kind", "code", "siren", "nom"]
        assert [row[1] for row in sheet[1:]] == [r["code"] for r in shown]


def test_exports_neutralise_formula_injection(client: Client) -> None:
    Territory.objects.filter(kind=Kind.COMMUNE, code="35238").update(nom='=HYPERLINK("http://evil")')
    text = client.get("/ciblage/export.csv", {"departement": "35", "kind": "commune"}).content.decode(
        "utf-8-sig"
    )
    names = [row[3] for row in csv.reader(io.StringIO(text), delimiter=";")]
    assert '\'=HYPERLINK("http://evil")' in names
    xlsx = client.get("/ciblage/export.xlsx", {"departement": "35", "kind": "commune"}).content
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_a_collectivite_page_shows_identity_hierarchy_and_obligation(client: Client) -> None:
    page = client.get("/collectivites/commune/35001/").content.decode()
    assert "Acigné" in page and "213500010" in page
    assert "Rennes Métropole" in page and "Ille-et-Vilaine" in page and "Bretagne" in page
    assert "3 512 hab. &gt; 3 500 ; effectif non renseigné" in page
    assert "millésime 2023" in page


def test_an_epci_page_lists_its_member_communes(client: Client) -> None:
    page = client.get("/collectivites/epci/243500139/").content.decode()
    for name in ("Rennes", "Bruz", "Pacé", "Acigné", "Betton"):
        assert name in page


def test_an_overseas_com_commune_is_flagged_on_its_page(client: Client) -> None:
    page = client.get("/collectivites/commune/97502/").content.decode()
    assert "Collectivité d&#x27;outre-mer" in page


def test_a_corse_departement_page_explains_who_exercises_its_competences(client: Client) -> None:
    page = client.get("/collectivites/departement/2A/").content.decode()
    assert "Collectivité de Corse" in page


def test_an_unknown_collectivite_is_a_404(client: Client) -> None:
    assert client.get("/collectivites/commune/99999/").status_code == 404


def test_saving_a_perimeter_needs_a_login(client: Client) -> None:
    response = client.post("/perimetres/enregistrer/", {"name": "Bretagne", "query": "region=53"})
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_an_atd_agent_saves_a_perimeter_and_shares_its_url(atd_client: Client, citizen: Client) -> None:
    response = atd_client.post(
        "/perimetres/enregistrer/", {"name": "Bretagne intermédiaire", "query": "region=53&pop_min=10000"}
    )
    assert response.status_code == 302
    listing = atd_client.get("/perimetres/").content.decode()
    assert "/perimetres/bretagne-intermediaire/" in listing
    shared = citizen.get("/perimetres/bretagne-intermediaire/")
    assert shared.status_code == 302 and shared["Location"] == "/ciblage/?region=53&pop_min=10000"


def test_perimeter_saving_is_csrf_protected(atd_agent: object) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(atd_agent)  # type: ignore[arg-type]
    assert csrf_client.post("/perimetres/enregistrer/", {"name": "x", "query": ""}).status_code == 403


def test_the_home_page_is_in_french(client: Client, tmp_path: Path) -> None:
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page and "Voir les collectivités obligées" in page
