"""In a real Chromium: an agent of Rennes builds a dashboard; a bar chart whose axis starts at 50 is
refused with its reason, then accepted from zero; its embed code, pasted in a static page of « the
commune's site » served on another local port, shows the chart and its figures; axe finds nothing serious
on the builder, the public page and the embed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from odl.dashboards.models import Chart, Dashboard
from odl.programme.models import Etd
from odl.publishing.models import Dataset
from tests import personas
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_truncated_bar_chart_is_refused_then_accepted_and_embedded(
    live_server: Any, etd: Etd, air: Dataset, commune_site: tuple[str, Path], settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    site, folder = commune_site
    with chromium_page() as page:
        page.goto(f"{live_server.url}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("etienne")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")
        page.goto(f"{live_server.url}/suivi/{etd.atd.slug}/etd/{etd.pk}/tableaux-de-bord/")
        page.get_by_label(re.compile(r"^Titre\W")).fill("La qualité de l'air")
        page.get_by_label("Le dispositif").fill("Des capteurs dans chaque quartier.")
        page.get_by_label("Page publique").check()
        page.get_by_role("button", name="Créer le tableau de bord").click()
        page.get_by_role("link", name="Ajouter un graphique").click()
        page.get_by_label("Jeu de données").select_option(f"p:{air.pk}")
        page.get_by_role("button", name="Lire les colonnes du jeu").click()
        page.get_by_label("Titre du graphique").fill("Relevés par quartier")
        page.get_by_label(re.compile(r"^Mesure\W")).select_option("sum")
        page.get_by_label("Colonne mesurée", exact=False).select_option("valeur")
        page.get_by_label("Ventilation par la colonne").select_option("quartier")
        page.get_by_label("Type de graphique").select_option("bar")
        page.get_by_label("Début de l'axe vertical").fill("50")
        page.get_by_label(re.compile(r"^Méthode\W")).fill("Somme des relevés de l'année.")
        page.get_by_role("button", name="Enregistrer le graphique").click()
        refusal = page.get_by_test_id("refusals")
        assert "Un diagramme en barres commence à zéro" in refusal.inner_text()
        assert not Chart.objects.exists()
        assert axe_violations(page) == []

        page.get_by_label("Début de l'axe vertical").fill("")
        page.get_by_role("button", name="Enregistrer le graphique").click()
        page.wait_for_selector("[data-testid=chart-svg]")
        assert Chart.objects.count() == 1
        assert axe_violations(page) == []
        code = page.get_by_test_id("snippet").first.input_value()
        board = Dashboard.objects.get()
        assert code.startswith(f'<iframe src="{live_server.url}/tableaux-de-bord/{board.slug}/integrer/"')

        (folder / "air.html").write_text(
            '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Ville de Rennes</title></head>'
            f"<body><main><h1>L'air à Rennes</h1>{code}</main></body></html>",
            encoding="utf-8",
        )
        page.goto(f"{site}/air.html")
        frame = page.frame_locator("iframe")
        assert frame.get_by_test_id("chart-svg").is_visible()
        assert frame.get_by_role("cell", name="52,5", exact=True).is_visible()
        assert axe_violations(page) == []

        page.goto(f"{live_server.url}/tableaux-de-bord/{board.slug}/integrer/")
        assert axe_violations(page) == []
        page.goto(f"{live_server.url}{board.get_absolute_url()}")
        headings = page.get_by_role("heading", level=2).all_inner_texts()
        assert headings[:3] == ["Le dispositif", "Les données partagées", "Les résultats"]
        assert axe_violations(page) == []
