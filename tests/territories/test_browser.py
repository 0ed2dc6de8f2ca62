"""The ATD agent's journey in a real Chromium: choose a région, change the threshold, export, open a page."""

import io
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from odl.territories.loader import load_referentiel
from tests.browser import axe_violations, chromium_page
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_atd_agent_targets_her_region_exports_it_and_opens_a_collectivite(
    live_server: Any, tmp_path: Path
) -> None:
    load_referentiel(FIXTURES / "referentiel", cog_year=2026)
    with chromium_page() as page:
        page.goto(f"{live_server.url}/ciblage/")
        page.get_by_label("Régions du périmètre").select_option("53")
        page.get_by_role("button", name="Appliquer").click()
        page.wait_for_url("**region=53**")
        assert page.get_by_role("link", name="Acigné").is_visible()
        assert page.get_by_text("3 512 hab. > 3 500 ; effectif non renseigné").is_visible()

        page.get_by_label("Seuil de population (habitants)").fill("15000")
        page.get_by_role("button", name="Appliquer").click()
        page.wait_for_url("**seuil=15000**")
        assert page.get_by_role("link", name="Acigné").count() == 0
        assert page.get_by_role("link", name="Bruz").is_visible()

        with page.expect_download() as download_info:
            page.get_by_role("link", name="XLSX (Excel)").click()
        target = tmp_path / "export.xlsx"
        download_info.value.save_as(target)
        rows = (
            CalamineWorkbook.from_filelike(io.BytesIO(target.read_bytes())).get_sheet_by_index(0).to_python()
        )
        names = {row[3] for row in rows[1:]}
        assert "Bruz" in names and "Acigné" not in names and "Ajaccio" not in names

        page.get_by_role("link", name="Bruz").click()
        page.wait_for_url("**/collectivites/commune/35047/")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Bruz")
        assert page.get_by_test_id("reason").inner_text() == "19 231 hab. > 3 500 ; effectif non renseigné"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ciblage/?region=53",
        "/collectivites/commune/35001/",
        "/recherche/?q=rennes",
        "/comptes/connexion/",
    ],
)
def test_pages_have_no_serious_accessibility_violations(live_server: Any, path: str) -> None:
    load_referentiel(FIXTURES / "referentiel", cog_year=2026)
    with chromium_page() as page:
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        assert violations == [], violations


def test_the_chart_is_drawn_from_the_platforms_own_chartjs(live_server: Any) -> None:
    load_referentiel(FIXTURES / "referentiel", cog_year=2026)
    requested: list[str] = []
    with chromium_page() as page:
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/ciblage/?region=53")
        page.wait_for_function("() => window.Chart && Chart.getChart('bands-chart')")
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested


def test_an_epci_can_be_picked_by_its_name(live_server: Any) -> None:
    load_referentiel(FIXTURES / "referentiel", cog_year=2026)
    with chromium_page() as page:
        page.goto(f"{live_server.url}/ciblage/")
        picker = page.get_by_label("Ajouter un EPCI par son nom")
        picker.fill("rennes")
        page.wait_for_function("() => document.querySelectorAll('#epci-options option').length > 0")
        picker.fill("Rennes Métropole (243500139)")
        assert page.get_by_label("EPCI (SIREN, séparés par des virgules)").input_value() == "243500139"
        page.get_by_role("button", name="Appliquer").click()
        page.wait_for_url("**epci=243500139**")
        assert page.get_by_role("link", name="Betton").is_visible()
