"""The public ATD network: map, table, and the obliged collectivités no ATD covers, by département."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from odl.atds.models import Atd, AtdKind
from odl.atds.network import coverage
from odl.programme.models import Etd
from odl.territories.models import Territory

pytestmark = pytest.mark.django_db


def ille_et_vilaine(atd_agent: Any) -> Atd:
    return Atd.objects.get(memberships__user=atd_agent)


def test_the_network_page_lists_each_atd_with_its_perimeter_offer_and_followed_count(
    atd_agent: Any, citizen: Client
) -> None:
    atd = ille_et_vilaine(atd_agent)
    atd.contact_name, atd.contact_email, atd.offer_formation = "Équipe données", "donnees@ille.fr", True
    atd.save()
    Etd.objects.create(atd=atd, territory=Territory.objects.get(kind="commune", code="35238"))
    response = citizen.get("/reseau/")
    assert response.status_code == 200
    row = next(a for a in response.context["atds"] if a.pk == atd.pk)
    assert row.etd_count == 1
    page = response.content.decode()
    assert "ATD Ille-et-Vilaine" in page and "Équipe données" in page and "animation, formation" in page
    assert 'id="atds-map"' in page and "vendor/leaflet/leaflet.js" in page


def test_coverage_counts_obliged_collectivites_inside_some_atd_and_the_others(atd_agent: Any) -> None:
    result = coverage()
    by_code = {d.code: d for d in result.departements}
    # 35: Rennes, Bruz, Pacé, Acigné, Betton, Rennes Métropole and the département itself.
    assert by_code["35"].covered == by_code["35"].obliged == 7
    assert by_code["35"].atds == ["ATD Ille-et-Vilaine"]
    assert by_code["22"].covered == 0 and by_code["22"].uncovered == by_code["22"].obliged > 0
    uncovered = {row["nom"] for row in result.uncovered_rows}
    assert {"Saint-Brieuc", "Ajaccio", "Bretagne"} <= uncovered and "Rennes" not in uncovered


def test_a_region_atd_covers_every_departement_of_its_region(small_referentiel: Any) -> None:
    atd = Atd.objects.create(name="Région Bretagne", kind=AtdKind.REGION)
    atd.areas.add(Territory.objects.get(kind="region", code="53"))
    by_code = {d.code: d for d in coverage().departements}
    assert by_code["22"].uncovered == 0 and by_code["35"].uncovered == 0
    assert by_code["2A"].covered == 0
    assert by_code[""].nom == "Régions" and by_code[""].covered == 1


def test_the_network_page_links_each_departement_to_its_uncovered_list(
    atd_agent: Any, citizen: Client
) -> None:
    page = citizen.get("/reseau/").content.decode()
    assert 'href="/reseau/sans-atd/22/"' in page
    assert 'href="/reseau/sans-atd/35/"' not in page  # nothing to recruit there
    listing = citizen.get("/reseau/sans-atd/22/")
    assert listing.status_code == 200
    names = {row["nom"] for row in listing.context["rows"]}
    assert "Saint-Brieuc" in names and "Rennes" not in names and "Ajaccio" not in names


def test_the_uncovered_list_exports_as_csv_xlsx_and_ods(atd_agent: Any, citizen: Client) -> None:
    response = citizen.get("/reseau/sans-atd/22/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["kind", "code", "siren", "nom"]
    assert "Saint-Brieuc" in {r[3] for r in rows[1:]}
    for fmt in ("xlsx", "ods"):
        data = citizen.get(f"/reseau/sans-atd/22/export.{fmt}").content
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        assert "Saint-Brieuc" in {r[3] for r in sheet[1:]}
    assert citizen.get("/reseau/sans-atd/22/export.pdf").status_code == 404
    assert citizen.get("/reseau/sans-atd/99/").status_code == 404


def test_the_regions_have_their_own_uncovered_list(small_referentiel: Any, citizen: Client) -> None:
    names = {row["nom"] for row in citizen.get("/reseau/sans-atd/regions/").context["rows"]}
    assert "Bretagne" in names


def test_the_public_atd_page_shows_structure_perimeter_offer_and_contact(
    atd_agent: Any, citizen: Client
) -> None:
    atd = ille_et_vilaine(atd_agent)
    atd.offer_text, atd.contact_email = "Ateliers mensuels", "contact@ille.fr"
    atd.save()
    atd.areas.add(Territory.objects.get(kind="epci", code="200069409"))
    page = citizen.get(f"/reseau/{atd.slug}/").content.decode()
    assert "Ille-et-Vilaine" in page and "Saint-Brieuc Armor Agglomération" in page
    assert "Ateliers mensuels" in page and "contact@ille.fr" in page
    assert "Démonstration" not in page and "Modifier l'ATD" not in page


def test_a_demo_atd_is_labelled_as_a_demonstration(small_referentiel: Any, citizen: Client) -> None:
    atd = Atd.objects.create(name="ATD de démonstration", kind=AtdKind.ASSOCIATION, demo=True)
    page = citizen.get(f"/reseau/{atd.slug}/").content.decode()
    assert 'data-testid="demo">Démonstration' in page
    assert "Démonstration" in citizen.get("/reseau/").content.decode()
