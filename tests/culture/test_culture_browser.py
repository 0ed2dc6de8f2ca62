"""In a real Chromium: an agent answers on a phone (375 px) with the keyboard only and sees her results;
then the ATD reads the aggregates. Both pass axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

from typing import Any

import pytest

from odl.culture.models import Campaign, Item, Response
from odl.programme.models import Etd
from tests import personas
from tests.browser import axe_violations, chromium_page
from tests.culture.conftest import respond

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _active_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _active_id(page) == element_id:
            return
    raise AssertionError(f"« {element_id} » jamais atteint au clavier (dernier : {_active_id(page)})")


def test_an_agent_answers_on_a_phone_with_the_keyboard_and_the_atd_reads_the_aggregates(
    live_server: Any, campaign: Campaign, rennes_etd: Etd
) -> None:
    items = list(Item.objects.active().in_bank_order())
    with chromium_page() as page:
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{live_server.url}/questionnaire/{campaign.token}/")
        assert axe_violations(page) == []
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375

        _tab_to(page, "id_etd")
        page.keyboard.type("Rennes")
        page.keyboard.press("Tab")
        assert _active_id(page) == "id_role"
        page.keyboard.type("Agent")
        page.keyboard.press("Tab")
        assert _active_id(page) == "id_service"
        page.keyboard.type("Urbanisme")
        for item in items:
            page.keyboard.press("Tab")
            assert _active_id(page) == f"q-{item.code}-0"
            # Space picks the first answer; each arrow moves to the next one and picks it.
            page.keyboard.press("Space")
            target = (item.correct_option or 0) if item.correct_option is not None else 2
            if item.code == "formats-csv":
                target = len(item.options)  # « Je ne sais pas », last
            for _ in range(target):
                page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        assert _active_id(page) == "id_consent"
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/resultats/")

        assert page.get_by_role("heading", name="Mes résultats").is_visible()
        table = page.locator("#scores")
        assert table.is_visible()
        # Self-positionings at 2 with right checks: 63; formats has a « je ne sais pas »: (2+2+4)/12 → 67.
        assert table.get_by_role("row", name="Outils et formats 67 Praticien").is_visible()
        assert table.get_by_role("row", name="Publication des données 63 Praticien").is_visible()
        page.wait_for_selector("#radar-chart[data-ready='1']")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        assert axe_violations(page) == []
    response = Response.objects.get()
    assert response.etd == rennes_etd and response.service == "Urbanisme"
    assert response.answers.filter(choice__isnull=True).count() == 1

    for level in (0, 0, 3, 3):
        respond(campaign, rennes_etd, level)
    personas.atd_agent()
    with chromium_page() as page:
        page.goto(f"{live_server.url}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("alice")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")
        page.goto(f"{live_server.url}/culture/{campaign.atd.slug}/")
        assert axe_violations(page) == []
        page.get_by_role("link", name=campaign.title).click()
        assert page.get_by_role("heading", name=campaign.title).is_visible()
        synthesis = page.locator("#synthese")
        assert synthesis.get_by_role("row", name="Publication des données 5").is_visible()
        territory = page.locator("#recommandations li").filter(has_text="Tout le territoire de l'ATD")
        assert territory.filter(has_text="Atelier publication SCDL — 40 % des répondants").is_visible()
        page.get_by_label("Groupe").select_option(label="Rennes")
        page.get_by_role("button", name="Afficher").click()
        assert page.locator("table.distribution").count() == 28
        assert axe_violations(page) == []
