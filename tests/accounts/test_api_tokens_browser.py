"""In a real Chromium: Étienne creates an API token for his management software, copies it, revokes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import personas
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_creates_a_token_shown_once_and_revokes_it(live_server: Any, etd_agent: Any) -> None:
    api = Client()
    with chromium_page() as page:
        page.goto(f"{live_server.url}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("etienne")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")
        page.get_by_role("link", name="Mes jetons d'API").click()
        assert page.get_by_text("Vous n'avez encore créé aucun jeton.").is_visible()
        assert axe_violations(page) == []

        page.get_by_label("Nom du jeton (l'application qui s'en servira)").fill("logiciel de gestion")
        page.get_by_role("button", name="Créer le jeton").click()
        key = page.locator("code.api-key").inner_text()
        assert key.startswith("odl_")
        assert page.get_by_text("il ne sera plus affiché").is_visible()
        assert axe_violations(page) == []
        assert api.get("/api/donnees", headers={"Authorization": f"Bearer {key}"}).status_code == 200

        page.goto(f"{live_server.url}/comptes/jetons-api/")
        assert page.locator("code.api-key").count() == 0
        page.get_by_role("button", name="Révoquer le jeton logiciel de gestion").click()
        assert page.get_by_text("Le jeton « logiciel de gestion » est révoqué").is_visible()
        assert axe_violations(page) == []
    refused = api.post("/api/donnees/1/versions", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401
