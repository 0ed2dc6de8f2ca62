"""In a real Chromium: the reuses gallery, a reuse, the places directory and its map, with axe checks."""

from __future__ import annotations

from typing import Any

import pytest

from odl.places.models import Place, PlaceKind
from odl.reuses.models import Reuse, ReuseKind
from odl.territories.models import Territory
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_gallery_and_the_directory_map_work_and_pass_axe(
    live_server: Any, small_referentiel: Any
) -> None:
    rennes = Territory.objects.get(kind="commune", code="35238")
    reuse = Reuse.objects.create(
        title="Carte des vélos", url="https://exemple.org/velos", kind=ReuseKind.CARTE
    )
    reuse.territories.add(rennes)
    Place.objects.create(
        name="Infolab de Rennes", kind=PlaceKind.INFOLAB, commune=rennes, latitude=48.11, longitude=-1.68
    )
    with chromium_page() as page:
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{live_server.url}/reutilisations/?territoire=D35")
        assert page.get_by_role("link", name="Carte des vélos").is_visible()
        assert axe_violations(page) == []
        page.get_by_role("link", name="Carte des vélos").click()
        assert page.get_by_role("heading", name="Carte des vélos").is_visible()
        assert axe_violations(page) == []

        page.goto(f"{live_server.url}/lieux/?territoire=D35")
        page.wait_for_selector("#places-map[data-ready='places']")
        assert page.get_by_text("1 lieu(x) sur la carte.").is_visible()
        # Thousands of markers: drawn on one canvas (preferCanvas), not as SVG paths.
        assert page.locator("#places-map canvas").count() == 1
        assert axe_violations(page) == []
        # The browser's own request for /favicon.ico answers 404: only script errors count here.
        assert [e for e in errors if not e.startswith("Failed to load resource")] == [], errors
