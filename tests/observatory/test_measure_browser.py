"""The dashboard and the map in a real Chromium: chart drawn, grid tiles clickable, nothing external."""

from __future__ import annotations

from typing import Any

import pytest

from odl.observatory.history import take_snapshot
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_outside(page: Any, base: str) -> list[str]:
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(base) else outside.append(request.url))
    return outside


def test_the_dashboard_draws_its_history_chart_beside_the_table(live_server: Any, harvested: Any) -> None:
    take_snapshot()
    with chromium_page() as page:
        outside = _watch_outside(page, live_server.url)
        page.goto(live_server.url + "/observatoire/?departement=35")
        page.wait_for_selector("#history-chart[data-ready='1']")
        assert "2 / 7" in page.get_by_test_id("open-obliged").inner_text()
        assert page.get_by_test_id("history-table").locator("tbody tr").count() == 1
        assert axe_violations(page) == []
        page.get_by_role("link", name="pas encore ouvertes").click()
        page.wait_for_url("**/collectivites/non-ouvertes/**")
        assert "Betton" in page.get_by_test_id("collectivites").inner_text()
        assert outside == []


def test_the_map_shows_the_departement_grid_offline_and_opens_a_popup(
    live_server: Any, harvested: Any
) -> None:
    take_snapshot()
    with chromium_page() as page:
        outside = _watch_outside(page, live_server.url)
        page.goto(live_server.url + "/observatoire/carte/")
        # By default the real shapes: 96 départements of metropolitan France and 5 overseas.
        page.wait_for_selector("#observatory-shapes[data-ready='formes-departement']")
        assert page.locator("#observatory-shapes path.shape").count() == 101
        ille = page.locator("#observatory-shapes path[data-code='35']")
        assert "28,6 %" in (ille.locator("title").text_content() or "")
        assert "licence MIT" in page.inner_text("#observatory-shapes")
        page.locator("#observatory-shapes a:has(path[data-code='35'])").click()
        assert "Ille-et-Vilaine" in page.inner_text("#shape-info")
        assert axe_violations(page) == []
        page.get_by_label("Niveau").select_option("formes-region")
        page.wait_for_selector("#observatory-shapes[data-ready='formes-region']")
        assert page.locator("#observatory-shapes path.shape").count() == 13 + 5
        # The grid stays, as an alternative.
        page.get_by_label("Niveau").select_option("departement")
        page.wait_for_selector("#observatory-map[data-ready='departement']")
        assert page.locator("#observatory-map path.leaflet-interactive").count() >= 4  # 35, 22, 2A, 975
        assert page.locator(".grid-label", has_text="28,6").count() == 1  # Ille-et-Vilaine: 2 of 7
        page.get_by_label("Niveau").select_option("region")
        page.wait_for_selector("#observatory-map[data-ready='region']")
        page.locator("#observatory-map path.leaflet-interactive").first.click(force=True)
        page.wait_for_selector(".leaflet-popup-content a")
        assert "Tableau de bord" in page.inner_text(".leaflet-popup-content")
        # Leaflet fades popups in; axe would measure the contrast of a half-transparent link.
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        )
        assert axe_violations(page) == []
        assert outside == []


def test_with_synced_contours_the_map_shows_communes_filters_them_and_links_to_their_page(
    live_server: Any, harvested: Any, contours_server: Any
) -> None:
    from playwright.sync_api import expect

    from odl.observatory.management.commands.geo import Command

    take_snapshot()
    base, _ = contours_server
    Command().handle_one(base + "/contours/")
    with chromium_page() as page:
        outside = _watch_outside(page, live_server.url)
        page.goto(live_server.url + "/observatoire/carte/")
        page.wait_for_selector("#observatory-shapes[data-ready='formes-departement']")
        page.get_by_label("Département (contours)").select_option("35")
        page.get_by_label("Niveau").select_option("contours")
        page.wait_for_selector("#observatory-map[data-ready='contours']")
        # Rennes and Bruz (communes) and Rennes Métropole (EPCI) have contours in département 35.
        # The paths are drawn just after the layer says it is ready: wait for them rather than count once.
        expect(page.locator("#observatory-map path.leaflet-interactive")).to_have_count(3)
        page.get_by_label("Publication").select_option("oui")
        page.wait_for_selector("#observatory-map[data-ready='contours']")
        expect(page.locator("#observatory-map path.leaflet-interactive")).to_have_count(2)  # Rennes, EPCI
        page.get_by_label("Type de collectivité").select_option("commune")
        page.wait_for_selector("#observatory-map[data-ready='contours']")
        page.locator("#observatory-map path.leaflet-interactive").first.click(force=True)
        page.get_by_role("link", name="Fiche de la collectivité").click()
        page.wait_for_url("**/collectivites/commune/35238/")
        assert page.get_by_test_id("publication").is_visible()
        # The browser only talked to the platform, which serves the contours it cached.
        assert outside == []


def test_a_collectivite_with_many_datasets_pages_them_accessibly(live_server: Any, harvested: Any) -> None:
    from odl.harvest.models import HarvestedDataset

    take_snapshot()
    HarvestedDataset.objects.bulk_create(
        [
            HarvestedDataset(
                source=harvested.datagouv,
                publisher=harvested.publishers["rennes"],
                remote_id=f"many-{n}",
                title=f"Jeu numéro {n:04d}",
            )
            for n in range(120)
        ]
    )
    with chromium_page() as page:
        page.goto(live_server.url + "/collectivites/commune/35238/")
        pager = page.get_by_role("navigation", name="Pages des jeux de données")
        assert "Page 1 sur 3" in pager.inner_text()
        assert axe_violations(page) == []
        pager.get_by_role("link", name="Jeux suivants").click()
        page.wait_for_url("**/collectivites/commune/35238/?jeux=2#jeux-moissonnes")
        assert "Page 2 sur 3" in page.get_by_role("navigation", name="Pages des jeux de données").inner_text()
        assert page.locator("#jeux-moissonnes tbody tr").count() == 50
