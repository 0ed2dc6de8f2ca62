"""In a real Chromium: an agent of Rennes adds a parking to its dataset, choosing the commune in the
autocomplete with the keyboard only and placing the point with a click on the map (then correcting it
by keyboard); the public page then shows the map, or the chart for a dataset without coordinates; axe
finds nothing serious on either page. With the contours synced, the map draws the communes instead of
the grid of degrees."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from odl.programme.models import Etd
from odl.publishing import versions
from odl.publishing.models import Dataset
from odl.schemas.registry import known
from tests import personas
from tests.browser import axe_violations, chromium_page
from tests.publishing.test_row_form_map import PARKING, grants_csv, parking_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("etienne")
    page.get_by_label("Mot de passe").fill(personas.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/comptes/")


def test_a_commune_chosen_by_keyboard_and_a_point_picked_on_the_map(
    live_server: Any, etd: Etd, etd_agent: Any
) -> None:
    from playwright.sync_api import expect

    dataset = Dataset.objects.create(etd=etd, schema_name="stationnement", title="Parkings", public=True)
    versions.publish(dataset, parking_csv([PARKING]), known("stationnement"), by=None, valid=True)
    with chromium_page() as page:
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        _sign_in(page, live_server.url)
        page.goto(f"{live_server.url}{dataset.space_url()}lignes/nouvelle/")

        # The autocomplete, keyboard only: type, arrow down, Enter.
        insee = page.get_by_role("combobox", name="insee")
        insee.fill("")
        insee.press_sequentially("pac")
        options = page.get_by_role("listbox").get_by_role("option")
        expect(options).to_have_text(["Pacé (35) – 35206"])
        expect(insee).to_have_attribute("aria-expanded", "true")
        status = page.locator("#id_insee-status")
        expect(status).to_contain_text("1 commune proposée")
        assert axe_violations(page) == []  # with the list open
        insee.press("ArrowDown")
        expect(insee).to_have_attribute("aria-activedescendant", "id_insee-option-0")
        expect(options.first).to_have_attribute("aria-selected", "true")
        insee.press("Enter")
        expect(insee).to_have_value("35206")
        expect(insee).to_have_attribute("aria-expanded", "false")
        expect(status).to_have_text("Pacé choisie, code 35206.")

        # The map: drawn offline (contours not synced: the grid of degrees), a click fills the fields.
        page.wait_for_selector("#row-map[data-ready=grid]")
        latitude, longitude = page.get_by_label("Ylat"), page.get_by_label("Xlong")
        latitude.fill("")
        longitude.fill("")
        page.locator("#row-map").click(position={"x": 200, "y": 150})
        lat, lon = float(latitude.input_value()), float(longitude.input_value())
        assert 40 < lat < 55 and -10 < lon < 10
        expect(page.locator("#row-map-status")).to_have_text(re.compile(r"^Point placé : latitude "))
        # The keyboard is the alternative: a typed latitude moves the point and is announced.
        latitude.fill("48.1200")
        latitude.press("Tab")
        expect(page.locator("#row-map-status")).to_have_text(
            f"Point placé : latitude 48.120000, longitude {lon:.6f}."
        )
        assert axe_violations(page) == []

        for name in ("id", "nom", "nb_places", "hauteur_max", "num_siret"):
            page.locator(f"#id_{name}").fill(PARKING[name] if name != "id" else "35206-P-002")
        page.locator("#id_type_usagers").select_option("tous")
        page.locator("#id_gratuit").select_option("true")
        page.get_by_role("button", name="Enregistrer et publier une nouvelle version").click()
        page.wait_for_load_state()
        assert page.url.endswith(dataset.space_url()), page.locator(".errorlist").all_inner_texts()
        assert not [p for p in problems if "Content Security Policy" in p]

    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 2
    table = versions.read_version(dataset.latest)
    row = dict(zip(table.header, table.rows[-1], strict=True))
    assert row["insee"] == "35206" and row["Ylat"] == "48.1200" and row["Xlong"] == f"{lon:.6f}"


def test_the_public_page_shows_its_map_or_its_chart(live_server: Any, etd: Etd) -> None:
    parkings = Dataset.objects.create(etd=etd, schema_name="stationnement", title="Parkings", public=True)
    rows = [PARKING, {**PARKING, "id": "35238-P-002", "nom": "<b>Gare</b>", "Xlong": "-1.6725"}]
    versions.publish(parkings, parking_csv(rows), known("stationnement"), by=None, valid=True)
    grants = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions", public=True)
    versions.publish(grants, grants_csv(), known("subventions"), by=None, valid=True)
    with chromium_page() as page:
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(f"{live_server.url}/donnees/{parkings.pk}/")
        page.wait_for_selector("#widget-map[data-ready=widget]")
        assert page.locator("#widget-map-status").inner_text().startswith("2 point(s) sur la carte.")
        assert page.get_by_role("cell", name="<b>Gare</b>").is_visible()
        assert axe_violations(page) == []
        page.goto(f"{live_server.url}/donnees/{grants.pk}/")
        assert page.get_by_test_id("public-chart").is_visible()
        assert axe_violations(page) == []
        assert not [p for p in problems if "Content Security Policy" in p]


def test_with_synced_contours_the_map_draws_the_communes_and_centres_on_the_collectivite(
    live_server: Any, etd: Etd, etd_agent: Any, settings: Any, tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    settings.DATA_DIR = tmp_path
    square = [[-1.75, 48.08], [-1.62, 48.08], [-1.62, 48.15], [-1.75, 48.15], [-1.75, 48.08]]
    folder = tmp_path / "geo" / "communes"
    folder.mkdir(parents=True)
    (folder / "35.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "35238", "nom": "Rennes"},
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    dataset = Dataset.objects.create(etd=etd, schema_name="stationnement", title="Parkings")
    with chromium_page() as page:
        _sign_in(page, live_server.url)
        page.goto(f"{live_server.url}{dataset.space_url()}lignes/nouvelle/")
        page.wait_for_selector("#row-map[data-ready=contours]")
        assert page.locator("#row-map svg path").count() >= 1  # the commune drawn by Leaflet
        box = page.locator("#row-map").bounding_box()
        page.locator("#row-map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        lat = float(page.get_by_label("Ylat").input_value())
        lon = float(page.get_by_label("Xlong").input_value())
        assert 48.08 < lat < 48.15 and -1.75 < lon < -1.62  # inside Rennes, the map is centred on it
        expect(page.locator("#row-map-status")).to_have_text(re.compile(r"^Point placé : latitude 48\.1"))
        assert axe_violations(page) == []
