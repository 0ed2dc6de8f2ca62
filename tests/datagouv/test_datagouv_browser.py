"""In a real Chromium: the ATD links Rennes to its organisation on a local data.gouv.fr, saves its key,
simulates then pushes a file, and reads the journal of calls; every page passes axe's AA rules."""

from __future__ import annotations

from typing import Any

import pytest
from udata_replay import VALID_KEY, Udata

from tests import personas
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_atd_links_rennes_and_pushes_a_file_to_a_local_data_gouv(
    live_server: Any, atd_agent: Any, udata: Udata, rennes_org: dict[str, Any]
) -> None:
    base = live_server.url
    with chromium_page() as page:
        page.goto(f"{base}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("alice")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")

        page.goto(f"{base}/suivi/atd-ille-et-vilaine/datagouv/")
        assert axe_violations(page) == []
        page.get_by_label("Collectivité (SIREN ou nom exact)").fill("213502388")
        page.get_by_role("button", name="Ouvrir").click()
        page.wait_for_url("**/datagouv/213502388/")
        page.get_by_role("button", name="Chercher l'organisation par SIREN").click()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Lier à Ville de Rennes").click()
        assert page.get_by_text("Collectivité liée à l'organisation « Ville de Rennes ».").is_visible()
        page.get_by_label("Clé d'API data.gouv.fr").fill(VALID_KEY)
        page.get_by_role("button", name="Enregistrer la clé").click()
        assert page.get_by_text("Clé d'API enregistrée (chiffrée).").is_visible()
        assert VALID_KEY not in page.content()
        assert axe_violations(page) == []

        page.get_by_role("link", name="Envoyer un fichier").click()
        assert axe_violations(page) == []
        page.get_by_label("Identifiant local du jeu de données").fill("subventions-2026")
        page.get_by_label("Titre").fill("Subventions 2026")
        page.get_by_label("Description").fill("Les subventions de la ville")
        page.get_by_label("Fréquence de mise à jour").select_option("annual")
        page.get_by_label("Schéma", exact=True).fill("scdl/subventions")
        page.get_by_label("Version du schéma").fill("2.1.0")
        files = {"name": "subventions.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}
        page.get_by_label("Fichier (CSV)").set_input_files(files)
        page.get_by_role("button", name="Simuler").click()
        assert page.get_by_role("heading", name="Simulation : Subventions 2026").is_visible()
        assert page.get_by_text("Jeu de données : création.").is_visible()
        assert udata.datasets == {}
        assert axe_violations(page) == []

        page.go_back()
        page.get_by_label("Fichier (CSV)").set_input_files(files)
        page.get_by_role("button", name="Envoyer", exact=True).click()
        assert page.get_by_role("heading", name="Subventions 2026").is_visible()
        assert page.get_by_text("Envoyé — demandé le").is_visible()
        assert len(udata.datasets) == 1
        assert axe_violations(page) == []

        page.goto(f"{base}/suivi/atd-ille-et-vilaine/datagouv/213502388/appels/")
        assert page.get_by_text("POST http://127.0.0.1").first.is_visible()
        assert axe_violations(page) == []
