"""In a real Chromium: an agent of Rennes creates a dataset, imports a messy workbook (a title row, French
labels, French dates and numbers), keeps the comment column aside, publishes, and sees the public page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from odl.programme.models import Etd
from odl.publishing.models import Dataset
from tests import personas
from tests.browser import axe_violations, chromium_page
from tests.publishing.helpers import messy_row, messy_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_imports_a_messy_workbook_and_publishes_it(
    live_server: Any, etd: Etd, etd_agent: Any, tmp_path: Path
) -> None:
    workbook = tmp_path / "subventions 2024.xlsx"
    workbook.write_bytes(messy_xlsx([messy_row(1), messy_row(2), messy_row(3)]))
    base = live_server.url
    with chromium_page() as page:
        page.goto(f"{base}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("etienne")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")
        page.goto(f"{base}/suivi/{etd.atd.slug}/etd/{etd.pk}/donnees/")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Nouveau jeu de données").click()
        page.get_by_label("Titre").fill("Subventions 2024")
        page.get_by_label("Schéma SCDL").select_option("subventions")
        page.get_by_label("SIRET de la collectivité").fill("21350238800019")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Enregistrer").click()
        assert page.get_by_text("Le jeu « Subventions 2024 » est créé").is_visible()
        assert axe_violations(page) == []

        page.get_by_label("Fichier CSV, XLSX ou ODS").set_input_files(str(workbook))
        page.get_by_role("button", name="Envoyer et faire correspondre les colonnes").click()
        assert page.get_by_text("en-tête trouvé à la ligne 3").is_visible()
        assert page.get_by_label("Commentaire interne").input_value() == ""
        assert page.get_by_label("Montant (€)").input_value() == "montant"
        assert axe_violations(page) == []
        page.get_by_role("button", name="Vérifier avec le moteur de validation").click()
        assert page.get_by_test_id("check-summary").inner_text().startswith("3 lignes. Le fichier est valide")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Publier cette version").click()
        assert page.get_by_text("Version 1 publiée : 3 lignes.").is_visible()

        dataset = Dataset.objects.get()
        page.get_by_role("link", name="Page publique").click()
        page.wait_for_url(f"**/donnees/{dataset.pk}/")
        assert page.get_by_test_id("schema-badge").inner_text().endswith("valide")
        assert page.get_by_role("cell", name="Association 2").is_visible()
        assert axe_violations(page) == []
        with page.expect_download() as download:
            page.get_by_role("link", name="Dernière version en CSV").click()
        assert Path(download.value.path()).read_bytes().startswith(b"nomAttribuant,")
