"""Creating and editing an ATD: structure by code or SIREN, perimeter by code, SIREN, name or saved
perimeter; bad input gets a French message naming the faulty value."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from odl.atds.models import Atd, AtdMembership, AtdRole
from odl.territories.models import Perimeter
from tests import personas

pytestmark = pytest.mark.django_db

BASE = {
    "name": "ATD des Côtes-d'Armor",
    "kind": "departement",
    "structure": "22",
    "departements": "",
    "regions": "",
    "epcis": "",
    "offer_animation": "on",
    "offer_portail": "on",
    "offer_text": "Un portail commun",
    "contact_name": "Mission données",
    "contact_email": "donnees@cotesdarmor.fr",
}


def test_a_coordinator_creates_an_atd_with_a_perimeter_given_by_name_and_siren(
    small_referentiel: Any, coordinator_client: Client
) -> None:
    data = {**BASE, "departements": "Côtes-d'Armor", "epcis": "243 500 139"}
    response = coordinator_client.post("/reseau/nouveau/", data)
    atd = Atd.objects.get(name="ATD des Côtes-d'Armor")
    assert response.status_code == 302 and response["Location"] == f"/reseau/{atd.slug}/"
    assert atd.structure is not None and atd.structure.kind == "departement" and atd.structure.code == "22"
    assert sorted(t.code for t in atd.areas.all()) == ["22", "243500139"]
    assert atd.offer_portail and not atd.offer_formation and atd.offer_text == "Un portail commun"


def test_another_body_is_given_by_its_siren_with_its_checksum_checked(
    small_referentiel: Any, coordinator_client: Client
) -> None:
    ok = {**BASE, "kind": "syndicat", "structure": "732 829 320", "departements": "22"}
    assert coordinator_client.post("/reseau/nouveau/", ok).status_code == 302
    atd = Atd.objects.get()
    assert atd.structure is None and atd.structure_siren == "732829320"
    bad = {**BASE, "name": "Autre", "structure": "732829321", "departements": "22"}
    response = coordinator_client.post("/reseau/nouveau/", bad)
    assert response.status_code == 400
    assert "clé de contrôle invalide" in response.content.decode()
    assert Atd.objects.count() == 1


def test_unknown_codes_and_an_empty_perimeter_are_named_in_french(
    small_referentiel: Any, coordinator_client: Client
) -> None:
    page = coordinator_client.post("/reseau/nouveau/", {**BASE, "departements": "22, 99, Atlantis"}).content
    text = page.decode()
    assert "Département introuvable : « 99 », « Atlantis »" in text
    text = coordinator_client.post("/reseau/nouveau/", {**BASE, "structure": "nulle part"}).content.decode()
    assert "« nulle part » n&#x27;est ni un code de collectivité du référentiel ni un SIREN" in text
    text = coordinator_client.post("/reseau/nouveau/", BASE).content.decode()
    assert "Le périmètre est vide" in text
    assert not Atd.objects.exists()


def test_a_saved_perimeter_gives_its_regions_departements_and_epci(
    small_referentiel: Any, coordinator: Any, coordinator_client: Client
) -> None:
    saved = Perimeter.objects.create(
        name="Ouest", slug="ouest", query="departement=22&epci=242010056&kind=commune", owner=coordinator
    )
    response = coordinator_client.post("/reseau/nouveau/", {**BASE, "perimeter": saved.pk})
    assert response.status_code == 302
    assert sorted(t.code for t in Atd.objects.get().areas.all()) == ["22", "242010056"]


def test_only_coordinators_create_an_atd(atd_client: Client, citizen: Client) -> None:
    assert atd_client.get("/reseau/nouveau/").status_code == 403
    assert citizen.get("/reseau/nouveau/").status_code == 302


def test_an_atd_admin_edits_her_atd_and_the_form_starts_from_what_is_stored(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    form = atd_client.get(f"/reseau/{atd.slug}/modifier/").context["form"]
    assert form.initial["departements"] == "35" and form.initial["structure"] == "35"
    data = {
        **BASE,
        "name": "ATD 35",
        "structure": "35",
        "departements": "35",
        "epcis": "Saint-Brieuc Armor Agglomération",
    }
    assert atd_client.post(f"/reseau/{atd.slug}/modifier/", data).status_code == 302
    atd.refresh_from_db()
    assert atd.name == "ATD 35" and sorted(t.code for t in atd.areas.all()) == ["200069409", "35"]


def test_an_animateur_or_another_atd_cannot_edit_it(atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    animateur = personas.atd_agent("bob", role=AtdRole.ANIMATEUR)
    assert AtdMembership.objects.get(user=animateur).atd == atd
    other = personas.atd_agent("corse", territory=("departement", "2A"))
    for user in (animateur, other):
        assert personas.logged_in(user).get(f"/reseau/{atd.slug}/modifier/").status_code == 403
