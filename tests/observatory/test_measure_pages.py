"""The public pages of the measurement: dashboard, lists and exports, raw rows, API, publication."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from odl.harvest.models import HarvestedDataset
from odl.observatory.history import take_snapshot
from odl.territories.models import Perimeter


@pytest.fixture
def snapshot(harvested):
    return take_snapshot()


def test_the_dashboard_shows_headline_figures_with_source_method_and_raw_rows(client, snapshot):
    response = client.get(reverse("observatory:dashboard"), {"departement": "35"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ille-et-Vilaine" in html
    assert "2 / 7" in html  # open among the obliged / obliged
    assert "28,6\u202f%" in html
    assert snapshot.label in html and "Calcul de la plateforme" in html
    assert (
        reverse("observatory:snapshot_rows", args=[snapshot.pk, "csv"]) + "?departement=35&amp;date=" in html
    )
    assert "Dénominateur du taux" in html
    assert 'id="history-data"' in html and "history-table" in html


def test_the_dashboard_explains_when_there_is_nothing_to_measure(client, small_referentiel):
    response = client.get(reverse("observatory:dashboard"))
    assert response.status_code == 200
    assert "odl import_observatoire" in response.content.decode()
    response = client.get(reverse("observatory:map"))
    assert response.status_code == 200
    assert "odl import_observatoire" in response.content.decode()


def test_a_bad_perimeter_gets_a_french_message_not_a_500(client, snapshot):
    response = client.get(reverse("observatory:dashboard"), {"region": "99"})
    assert response.status_code == 400
    assert "Région inconnu(e) : 99" in response.content.decode()
    response = client.get(reverse("observatory:dashboard"), {"date": "demain"})
    assert response.status_code == 400


def test_a_saved_perimeter_has_its_dashboard(client, snapshot, atd_agent):
    Perimeter.objects.create(
        name="Pays de Rennes", slug="pays-de-rennes", query="epci=243500139", owner=atd_agent
    )
    response = client.get(reverse("observatory:dashboard"), {"perimetre": "pays-de-rennes"})
    assert response.status_code == 200
    assert "Pays de Rennes" in response.content.decode()
    assert response.context["data"]["open"] == 2


def test_the_not_yet_open_list_names_the_obliged_that_do_not_publish(client, snapshot):
    response = client.get(reverse("observatory:list", args=["non-ouvertes"]), {"departement": "35"})
    names = [row["nom"] for row in response.context["rows"]]
    assert "Pacé" in names and "Betton" in names and "Rennes" not in names
    assert "Ille-et-Vilaine" in names


def test_lists_export_to_csv_xlsx_and_ods_with_formulas_neutralised(client, harvested):
    HarvestedDataset.objects.filter(remote_id="r-1").update(schemas=['=HYPERLINK("x")'])
    take_snapshot()
    url = reverse("observatory:list_export", args=["ouvertes", "csv"])
    response = client.get(url, {"region": "53"})
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("kind;code;siren;nom")
    assert "'=HYPERLINK" in text
    for fmt in ("xlsx", "ods"):
        response = client.get(reverse("observatory:list_export", args=["ouvertes", fmt]), {"region": "53"})
        assert response.status_code == 200
        assert zipfile.is_zipfile(io.BytesIO(response.content))


def test_raw_rows_of_a_snapshot_are_downloadable_for_a_perimeter(client, snapshot):
    url = reverse("observatory:snapshot_rows", args=[snapshot.pk, "csv"])
    lines = client.get(url, {"epci": "243500139"}).content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("siren;nom;organisation_type")
    assert len(lines) == 1 + 3  # Rennes, Rennes Métropole, Pacé (published for)
    assert client.get(reverse("observatory:snapshots")).status_code == 200


def test_the_api_gives_indicators_history_and_snapshots(client, snapshot):
    data = client.get("/api/observatoire/indicateurs", {"departement": "35"}).json()
    assert data["open_obliged"] == 2 and data["snapshot"]["id"] == snapshot.pk
    assert client.get("/api/observatoire/indicateurs", {"region": "99"}).status_code == 400
    assert client.get("/api/observatoire/indicateurs", {"date": "2000-01-01"}).status_code == 400
    points = client.get("/api/observatoire/historique", {"region": "53"}).json()
    assert [p["open"] for p in points] == [2]
    assert len(client.get("/api/observatoire/instantanes").json()) == 1


def test_the_collectivite_page_shows_its_publication_and_timeline(client, snapshot, harvested):
    HarvestedDataset.objects.filter(remote_id="r-2").update(title="<script>alert(1)</script>Budget")
    response = client.get(reverse("territories:detail", args=["commune", "35238"]))
    html = response.content.decode()
    assert 'data-testid="publication"' in html
    assert "Subventions 2024" in html and "scdl/subventions" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert 'data-testid="timeline"' in html and "Ouverte" in html
    pace = client.get(reverse("territories:detail", args=["commune", "35206"])).content.decode()
    assert "Publié pour son compte par un tiers" in pace and "Délibérations de Pacé" in pace
    assert "Pas encore ouverte" in pace


def test_the_map_page_works_offline_with_the_tile_grid(client, snapshot):
    response = client.get(reverse("observatory:map"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "vendor/leaflet/leaflet.js" in html and "http://" not in html.split("<main")[1].split("</main>")[
        0
    ].replace("http://testserver", "")
    grid = client.get(reverse("observatory:map_grid"), {"niveau": "departement"}).json()
    cells = {c["code"]: c for c in grid["cells"]}
    assert cells["35"]["open_obliged"] == 2 and cells["35"]["obliged"] == 7
    assert (cells["35"]["x"], cells["35"]["y"]) != (cells["22"]["x"], cells["22"]["y"])
    regions = client.get(reverse("observatory:map_grid"), {"niveau": "region", "kind": "epci"}).json()
    bretagne = next(c for c in regions["cells"] if c["code"] == "53")
    assert bretagne["open"] == 1  # Rennes Métropole among the EPCI
    techno = client.get(reverse("observatory:map_grid"), {"technologie": "Opendatasoft"}).json()
    assert next(c for c in techno["cells"] if c["code"] == "35")["technology_open"] == 1
    assert client.get(reverse("observatory:map_grid"), {"niveau": "canton"}).status_code == 400


def test_the_map_figures_are_computed_when_the_snapshot_is_taken_and_kept_on_disk(settings, harvested):
    from pathlib import Path

    from odl.observatory.indicators import map_figures
    from odl.territories.targeting import build_criteria

    first = take_snapshot()
    folder = Path(settings.DATA_DIR) / "cache" / "observatory"
    files = list(folder.glob("map-*.json"))
    assert len(files) == 1
    rule = build_criteria().rule
    assert map_figures(first, rule)["D:35"]["open"] == 2
    # Retaking the day's snapshot makes a new one: its figures never come from the old file.
    HarvestedDataset.objects.filter(publisher__territory__code="35238").update(
        archived_at="2020-01-01T00:00Z"
    )
    second = take_snapshot()
    assert map_figures(second, rule)["D:35"]["open"] == 1
    assert len(list(folder.glob("map-*.json"))) == 2
