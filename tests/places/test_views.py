"""The directory's map and table, a place, the territory page, the team's forms and the planner's venue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from odl.animations.fiches import load_defaults
from odl.animations.models import Event, Format
from odl.atds.models import Atd
from odl.places.models import Origin, Place, PlaceKind
from odl.territories.models import Territory
from tests import personas
from tests.core.test_query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def make_place(name: str, code: str, **fields: Any) -> Place:
    commune = Territory.objects.get(kind="commune", code=code)
    fields.setdefault("latitude", 48.1)
    fields.setdefault("longitude", -1.6)
    return Place.objects.create(name=name, commune=commune, **fields)


def map_points(response: Any) -> list[list[Any]]:
    html = response.content.decode()
    start = html.index('<script id="places-map-config" type="application/json">') + len(
        '<script id="places-map-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])["points"]  # type: ignore[no-any-return]


def test_the_directory_filters_by_territory_and_kind_on_the_map_and_in_the_table(
    small_referentiel: Any,
) -> None:
    make_place("Infolab de Rennes", "35238", kind=PlaceKind.INFOLAB)
    make_place("Médiathèque de Bruz", "35047", kind=PlaceKind.MEDIATHEQUE)
    make_place("Tiers-lieu briochin", "22278", kind=PlaceKind.TIERS_LIEU)
    client = Client()

    everything = client.get("/lieux/")
    assert [p.name for p in everything.context["page"]] == [
        "Médiathèque de Bruz",
        "Infolab de Rennes",
        "Tiers-lieu briochin",
    ]
    assert len(map_points(everything)) == 3
    dep = client.get("/lieux/?territoire=D35")
    assert sorted(p[1] for p in map_points(dep)) == ["Infolab de Rennes", "Médiathèque de Bruz"]
    assert [p.name for p in client.get("/lieux/?territoire=D35&type=infolab").context["page"]] == [
        "Infolab de Rennes"
    ]
    assert [p.name for p in client.get("/lieux/?territoire=243500139").context["page"]] == [
        "Médiathèque de Bruz",
        "Infolab de Rennes",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [("?territoire=ZZZ", "Territoire inconnu : « ZZZ »"), ("?type=cafe", "Type de lieu inconnu : « cafe »")],
)
def test_bad_directory_filters_get_a_french_message(small_referentiel: Any, query: str, message: str) -> None:
    response = Client().get("/lieux/" + query)
    assert response.status_code == 400 and message in response.content.decode()


def test_a_place_and_the_territory_page(small_referentiel: Any) -> None:
    place = make_place(
        "Infolab de Rennes", "35238", kind=PlaceKind.INFOLAB, website="https://exemple.org/infolab"
    )
    client = Client()
    assert "https://exemple.org/infolab" in client.get(place.get_absolute_url()).content.decode()
    page = client.get("/collectivites/departement/35/").content.decode()
    assert "Lieux de culture de la donnée" in page and "Infolab de Rennes" in page
    assert (
        "Lieux de culture de la donnée" not in client.get("/collectivites/departement/22/").content.decode()
    )


def test_the_team_adds_and_corrects_a_place(
    small_referentiel: Any, atd_client: Client, atd_agent: Any
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    data = {
        "name": "Infolab",
        "kind": "infolab",
        "commune_code": "35238",
        "latitude": "48.11",
        "longitude": "-1.68",
    }
    response = atd_client.post(f"/suivi/{atd.slug}/lieux/nouveau/", data)
    assert response.status_code == 302
    place = Place.objects.get(name="Infolab")
    assert place.atd == atd and place.origin == Origin.MANUAL

    imported = make_place("Importé", "35047", origin=Origin.IMPORT, remote_id="x")
    data = {**data, "name": "Importé corrigé", "commune_code": "35047"}
    assert atd_client.post(f"/suivi/{atd.slug}/lieux/{imported.pk}/modifier/", data).status_code == 302
    imported.refresh_from_db()
    assert imported.name == "Importé corrigé" and imported.origin == Origin.MANUAL


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"latitude": ""}, "Ce champ est obligatoire."),
        ({"latitude": "123"}, "inférieure ou égale à 90"),
        ({"commune_code": "99999"}, "Aucune commune de code INSEE « 99999 » dans le référentiel."),
        ({"website": "javascript:alert(1)"}, "seules les adresses http(s) sont acceptées"),
    ],
)
def test_bad_place_inputs_get_a_french_message_and_nothing_changes(
    small_referentiel: Any, atd_client: Client, atd_agent: Any, fields: dict[str, str], message: str
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    existing = make_place("Déjà là", "35238", atd=atd)
    data = {
        "name": "Nouveau nom",
        "kind": "infolab",
        "commune_code": "35238",
        "latitude": "48.11",
        "longitude": "-1.68",
        **fields,
    }
    response = atd_client.post(f"/suivi/{atd.slug}/lieux/{existing.pk}/modifier/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert Place.objects.get(pk=existing.pk).name == "Déjà là"


def test_another_atd_may_not_edit_an_atds_own_place(small_referentiel: Any, atd_agent: Any) -> None:
    own = make_place("À nous", "35238", atd=Atd.objects.get(memberships__user=atd_agent))
    bob = personas.atd_agent("bob", territory=("departement", "22"))
    other = Atd.objects.get(memberships__user=bob)
    assert personas.logged_in(bob).get(f"/suivi/{other.slug}/lieux/{own.pk}/modifier/").status_code == 404


def test_the_planner_offers_a_venue_from_the_directory(
    small_referentiel: Any, atd_client: Client, atd_agent: Any
) -> None:
    load_defaults(Format)
    atd = Atd.objects.get(memberships__user=atd_agent)
    venue = make_place("Infolab de Rennes", "35238", address="10 cours des Alliés")
    make_place("Tiers-lieu briochin", "22278")
    form_page = atd_client.get(f"/suivi/{atd.slug}/animations/nouveau/").content.decode()
    assert "Infolab de Rennes (Rennes)" in form_page and "Tiers-lieu briochin" not in form_page
    data = {
        "format": Format.objects.get(slug="hackathon").pk, "title": "Hackathon", "starts_on": "2026-06-06",
        "ends_on": "2026-06-07", "venue": venue.pk, "collect_schema": "equipements",
    }  # fmt: skip
    response = atd_client.post(f"/suivi/{atd.slug}/animations/nouveau/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="Hackathon")
    assert event.place == "Infolab de Rennes, 10 cours des Alliés" and event.commune == venue.commune
    assert event.starts_on == dt.date(2026, 6, 6)


def test_the_directory_runs_as_many_queries_for_many_places_as_for_few(small_referentiel: Any) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            make_place(f"Lieu {Place.objects.count()}-{i}", "35238")

    client = Client()
    assert_queries_do_not_grow(client, "/lieux/", grow)
    assert_queries_do_not_grow(client, "/lieux/?territoire=D35&type=mediation", grow)
