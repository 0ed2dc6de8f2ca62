"""The real shapes of départements and régions come from an open-licensed npm package, served locally."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from odl.observatory import shapes
from odl.observatory.history import take_snapshot


@pytest.fixture
def snapshot(harvested):
    return take_snapshot()


@pytest.fixture
def drawn() -> dict:
    if not (shapes.package_dir() / "package.json").is_file():
        pytest.skip("paquet npm @gouvfr/dsfr-chart absent : lancez « make install »")
    return shapes.shapes()


def test_every_departement_and_region_of_metropolitan_france_and_the_five_overseas_have_a_shape(
    drawn,
) -> None:
    assert len(drawn["departements"]) == 96 and {"2A", "2B", "35", "75"} <= set(drawn["departements"])
    assert set(drawn["regions"]) == {
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    }
    assert {(o["code"], o["region"]) for o in drawn["outremer"]} == {
        ("971", "01"),
        ("972", "02"),
        ("973", "03"),
        ("974", "04"),
        ("976", "06"),
    }
    assert all(o["viewBox"] and o["d"].lower().startswith("m") for o in drawn["outremer"])


def test_the_licence_is_the_package_s_own_and_is_open(drawn) -> None:
    meta = json.loads((shapes.package_dir() / "package.json").read_text(encoding="utf-8"))
    licence = (shapes.package_dir() / "LICENSE").read_text(encoding="utf-8")
    assert drawn["licence"] == meta["license"] == "MIT" and "MIT License" in licence
    assert drawn["version"] == meta["version"]


def test_the_shapes_are_served_by_the_platform_and_named_on_the_map_page(
    client: Client, snapshot, drawn
) -> None:
    served = client.get(reverse("observatory:map_shapes")).json()
    assert served["departements"]["35"] == drawn["departements"]["35"]
    page = client.get(reverse("observatory:map")).content.decode()
    assert 'value="formes-departement"' in page and 'value="departement"' in page  # the grid stays
    assert "@gouvfr/dsfr-chart 2.0.4 (licence MIT" in page
    assert "Les chiffres de la carte" in page  # and the table


def test_without_the_package_the_map_keeps_its_grid(client: Client, snapshot, settings, tmp_path) -> None:
    settings.NODE_MODULES_DIR = tmp_path
    shapes.shapes.cache_clear()
    try:
        page = client.get(reverse("observatory:map")).content.decode()
        assert 'value="formes-departement"' not in page and 'value="departement"' in page
        answer = client.get(reverse("observatory:map_shapes"))
        assert answer.status_code == 503 and "npm ci" in answer.json()["error"]
    finally:
        shapes.shapes.cache_clear()
