"""Syncing the official contours (served here by a local HTTP server) and the map's tile grids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.urls import reverse

from odl.observatory import geo
from odl.observatory.history import take_snapshot
from odl.observatory.management.commands.geo import Command


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_sync_downloads_contours_and_splits_them_per_departement(
    small_referentiel, contours_server, data_dir
):
    base, _ = contours_server
    reports = Command().handle_one(base + "/contours/")
    communes = next(r for r in reports if r.layer == "communes")
    assert communes.features == 4 and communes.matched == 3 and communes.unmatched == ["99999"]
    ille = json.loads((data_dir / "geo" / "communes" / "35.geojson").read_text())
    assert {f["properties"]["code"] for f in ille["features"]} == {"35238", "35047"}
    assert (data_dir / "geo" / "epci" / "35.geojson").is_file()
    assert geo.manifest()["layers"]["epci"]["matched"] == 1


def test_a_failing_source_keeps_the_previous_cache(small_referentiel, contours_server, data_dir):
    base, _ = contours_server
    Command().handle_one(base + "/contours/")
    before = geo.manifest()
    with pytest.raises(CommandError, match="503") as info:
        Command().handle_one(base + "/down/")
    assert "cache précédent est conservé" in str(info.value)
    with pytest.raises(CommandError, match="GeoJSON lisible"):
        Command().handle_one(base + "/broken/")
    assert geo.manifest() == before
    assert geo.contours_path("communes", "35") is not None


def test_once_synced_the_map_offers_communes_and_epci_with_popups_data(
    client, harvested, contours_server, data_dir
):
    take_snapshot()
    base, _ = contours_server
    Command().handle_one(base + "/contours/")
    html = client.get(reverse("observatory:map")).content.decode()
    assert (
        "Communes et EPCI d&#x27;un département (contours)" in html
        or "Communes et EPCI d'un département" in html
    )
    response = client.get(reverse("observatory:map_contours", args=["communes", "35"]))
    assert response["Content-Type"] == "application/geo+json"
    assert b"35238" in b"".join(response.streaming_content)
    items = client.get(reverse("observatory:map_collectivites"), {"departement": "35"}).json()["items"]
    rennes = next(i for i in items if i["code"] == "35238")
    assert rennes["open"] and rennes["obliged"] and rennes["url"] == "/collectivites/commune/35238/"
    assert client.get(reverse("observatory:map_contours", args=["communes", "2B"])).status_code == 404
    assert client.get(reverse("observatory:map_contours", args=["cantons", "35"])).status_code == 404


def test_without_synced_contours_the_map_stays_on_the_grid(client, harvested, data_dir):
    take_snapshot()
    html = client.get(reverse("observatory:map")).content.decode()
    assert "odl geo sync" in html and "(contours)</option>" not in html


def test_every_departement_and_region_of_the_real_referentiel_has_its_own_tile():
    assert len(geo.DEPARTEMENT_GRID) == 101
    assert len(set(geo.DEPARTEMENT_GRID.values())) == len(geo.DEPARTEMENT_GRID)
    metro = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert metro <= set(geo.DEPARTEMENT_GRID)
    assert len(geo.REGION_GRID) == 18 and len(set(geo.REGION_GRID.values())) == 18
