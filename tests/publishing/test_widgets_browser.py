"""In a real Chromium: an agent of Rennes builds the widget of a published dataset, copies its code into
a static page of « the commune's site » served on another local port, and that page shows the table,
searchable, inside the iframe; axe finds nothing serious on the generator nor on the widget."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from odl.programme.models import Etd
from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from tests import personas
from tests.browser import axe_violations, chromium_page
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_copied_snippet_shows_the_table_on_the_communes_site(
    live_server: Any, etd: Etd, etd_agent: Any, commune_site: tuple[str, Path], settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.SITE_URL = live_server.url
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions 2024")
    lines = [",".join(SUB_HEADER)]
    for i in range(1, 31):
        row = dict(zip(SUB_HEADER, SUB_GOOD, strict=True))
        row.update({"nomBeneficiaire": f"Association {i}", "montant": str(i * 100)})
        lines.append(",".join(f'"{row[h]}"' for h in SUB_HEADER))
    publish(dataset, ("\n".join(lines) + "\n").encode(), known("subventions"), by=None, valid=True)
    site, folder = commune_site
    with chromium_page() as page:
        page.goto(f"{live_server.url}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("etienne")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")
        page.goto(f"{live_server.url}{dataset.space_url()}")
        page.get_by_role("link", name="Widget pour le site de la collectivité").click()
        page.get_by_label("Nom du bénéficiaire", exact=False).first.check()
        page.get_by_label("Montant", exact=False).first.check()
        page.get_by_label("Somme de la colonne").select_option("montant")
        page.get_by_label("par", exact=True).select_option("nomBeneficiaire")
        page.get_by_role("button", name="Mettre à jour le code et l'aperçu").click()
        code = page.get_by_label("Code HTML du widget (à coller dans votre page)").input_value()
        assert code.startswith(f'<iframe src="{live_server.url}/donnees/{dataset.pk}/widget/?colonnes=')
        preview = page.frame_locator("iframe[data-testid=widget-preview]")
        assert preview.get_by_role("cell", name="Association 3", exact=True).is_visible()
        assert axe_violations(page) == []

        (folder / "environnement.html").write_text(
            '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Ville de Rennes</title></head>'
            f"<body><main><h1>Les subventions de la ville</h1>{code}</main></body></html>",
            encoding="utf-8",
        )
        page.goto(f"{site}/environnement.html")
        frame = page.frame_locator("iframe")
        table = frame.get_by_test_id("widget-table")
        assert table.get_by_role("cell", name="Association 1", exact=True).is_visible()
        assert frame.get_by_test_id("widget-chart").is_visible()
        # Searching works inside the iframe, on the server, with no script.
        frame.get_by_role("searchbox", name="Rechercher").fill("association 2")
        frame.get_by_role("button", name="Rechercher").click()
        expect(frame.get_by_test_id("widget-count")).to_have_text(re.compile(r"^11 lignes sur 30"))
        assert table.get_by_role("cell", name="Association 20", exact=True).is_visible()

        page.goto(f"{live_server.url}/donnees/{dataset.pk}/widget/?graphique=montant&par=nature")
        assert axe_violations(page) == []


def test_the_widget_map_draws_its_points_under_the_csp(live_server: Any, etd: Etd) -> None:
    schema = known("equipements")
    dataset = Dataset.objects.create(etd=etd, schema_name="equipements", title="Équipements sportifs")
    header = schema.field_names
    lines = [",".join(header)]
    for name, lat, lon in (("Piscine", "48.11", "-1.68"), ("<b>Stade</b>", "48.12", "-1.70")):
        row = dict.fromkeys(header, "")
        row.update({"COLL_NOM": "Rennes", "EQUIP_NOM": name, "EQUIP_LAT": lat, "EQUIP_LONG": lon})
        lines.append(",".join(row[h] for h in header))
    publish(dataset, ("\n".join(lines) + "\n").encode(), schema, by=None, valid=True)
    with chromium_page() as page:
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(
            f"{live_server.url}/donnees/{dataset.pk}/widget/?carte=1&colonnes=EQUIP_NOM,EQUIP_LAT,EQUIP_LONG"
        )
        page.wait_for_selector("#widget-map[data-ready=widget]")
        assert page.locator("#widget-map-status").inner_text().startswith("2 point(s) sur la carte.")
        assert page.get_by_role("cell", name="<b>Stade</b>").is_visible()
        assert not [p for p in problems if "Content Security Policy" in p]
        assert axe_violations(page) == []
