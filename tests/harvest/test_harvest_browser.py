"""An ATD agent in a real Chromium: test a source, declare it, harvest it, review a publisher."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from harvest_replay import Replay, paged_ckan

from odl.harvest.models import HarvestSource, Publisher
from tests import personas
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/comptes/connexion/?next=/observatoire/moissonnage/")
    page.get_by_label("Identifiant").fill("alice")
    page.get_by_label("Mot de passe").fill(personas.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/observatoire/moissonnage/")


def test_an_atd_agent_tests_declares_harvests_and_reviews(
    live_server: Any, atd_agent: Any, replay: Replay, harvest_data: Path
) -> None:
    packages = json.loads((harvest_data / "ckan/demo.ckan.org-package_search.json").read_text())["result"][
        "results"
    ]
    packages[0]["organization"] = {"id": "o1", "title": "Commune de Nulle-Part"}
    packages[1]["title"] = "<img src=x onerror=alert(1)>"
    paged_ckan(replay, packages)
    with chromium_page() as page:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, live_server.url)
        page.get_by_role("link", name="Déclarer une source").click()
        page.get_by_label("Nom de la source").fill("Portail du 35")
        page.get_by_label("Type de source").select_option("ckan")
        page.get_by_label("Adresse (URL)").fill(replay.url())
        page.get_by_role("button", name="Tester cette source").click()
        assert page.get_by_role(
            "heading", name="Aperçu de la première page (rien n'est enregistré)"
        ).is_visible()
        assert page.get_by_text("<img src=x onerror=alert(1)>").is_visible()
        assert HarvestSource.objects.count() == 0
        assert axe_violations(page) == []

        page.get_by_role("button", name="Déclarer la source").click()
        page.wait_for_url("**/moissonnage/sources/*/")
        page.get_by_role("button", name="Lancer le moissonnage maintenant").click()
        page.wait_for_url("**/moissonnage/passages/*/")
        assert page.get_by_text("Statut : réussi").is_visible()
        assert axe_violations(page) == []

        page.get_by_role("link", name="Éditeurs à vérifier").click()
        row = page.get_by_role("row").filter(has_text="Commune de Nulle-Part")
        row.get_by_label("Collectivité (ex. commune:35238 ou SIREN)").fill("commune:35206")
        row.get_by_role("button", name="Rattacher").click()
        assert page.get_by_text("Commune de Nulle-Part : décision enregistrée").is_visible()
        assert axe_violations(page) == []
    assert dialogs == []
    publisher = Publisher.objects.get(remote_id="o1")
    assert (publisher.match_status, publisher.territory.nom) == ("accepted", "Pacé")
