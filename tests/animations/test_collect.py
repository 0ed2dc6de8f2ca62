"""Cartopartie collection: the SCDL-shaped form, points outside the area or with a script, exports."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from odl.animations import collect
from odl.animations.models import CollectedPoint, Event, PointStatus

RENNES = {"south": 48.08, "west": -1.75, "north": 48.15, "east": -1.60}


@pytest.fixture
def carto(make_event: Callable[..., Event]) -> Event:
    return make_event("cartopartie", datetime.date(2026, 6, 6), **RENNES)


def _url(event: Event) -> str:
    return reverse("animations:collect", args=[event.collect_token])


def test_the_form_takes_its_fields_from_the_embedded_equipements_schema() -> None:
    fields, origin = collect.form_fields("equipements")
    names = [f.name for f in fields]
    assert "EQUIP_THEME" in names and "EQUIP_TYPE" in names
    assert not {"EQUIP_LAT", "EQUIP_LONG", "COLL_SIRET", "COLL_NOM", "EQUIP_UID"} & set(names)
    theme = next(f for f in fields if f.name == "EQUIP_THEME")
    assert "Equipement sportif et de loisirs" in theme.choices
    assert "équipements" in origin.lower() or "equipement" in origin.lower()


def test_an_unknown_schema_falls_back_to_the_simple_shape() -> None:
    fields, origin = collect.form_fields("pas-un-schema")
    assert [f.name for f in fields] == ["type", "description"] and "forme simple" in origin


@pytest.mark.django_db
def test_a_participant_adds_a_point_without_an_account(carto: Event) -> None:
    client = Client()
    page = client.get(_url(carto))
    assert page.status_code == 200 and "Thème de classement" in page.content.decode()
    response = client.post(
        _url(carto),
        {"name": "Défibrillateur de la mairie", "lat": "48.1113", "lon": "-1.6800",
         "attr_EQUIP_THEME": "Equipement administratif", "client_id": "abc"},
    )  # fmt: skip
    assert response.status_code == 302
    point = CollectedPoint.objects.get(event=carto)
    assert (point.name, point.status, point.attributes) == (
        "Défibrillateur de la mairie",
        PointStatus.PENDING,
        {"EQUIP_THEME": "Equipement administratif"},
    )


@pytest.mark.django_db
def test_a_point_sent_twice_by_the_offline_queue_is_stored_once(carto: Event) -> None:
    client = Client()
    data = {"name": "Banc", "lat": "48.11", "lon": "-1.68", "client_id": "queue-1"}
    first = client.post(_url(carto), data, HTTP_ACCEPT="application/json").json()
    second = client.post(_url(carto), data, HTTP_ACCEPT="application/json").json()
    assert first["ok"] and first["created"] and second["ok"] and not second["created"]
    assert CollectedPoint.objects.filter(event=carto).count() == 1


@pytest.mark.django_db
def test_a_point_outside_the_area_gets_a_french_message_and_is_not_stored(carto: Event) -> None:
    response = Client().post(
        _url(carto), {"name": "Loin", "lat": "43.6", "lon": "1.44"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "en dehors de la zone de la cartopartie" in response.json()["error"]
    assert not CollectedPoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "Banc <img src=x onerror=alert(1)>", "javascript:alert(1)"]
)
def test_a_name_with_a_script_is_refused_with_a_clear_message(carto: Event, name: str) -> None:
    response = Client().post(_url(carto), {"name": name, "lat": "48.11", "lon": "-1.68"})
    body = response.content.decode()
    assert response.status_code == 400 and "contient du code" in body
    assert "<script>alert(1)</script>" not in body  # the sent text comes back escaped, never as markup
    assert not CollectedPoint.objects.exists()


@pytest.mark.django_db
def test_a_value_outside_the_schemas_list_is_refused(carto: Event) -> None:
    response = Client().post(
        _url(carto),
        {"name": "Gymnase", "lat": "48.11", "lon": "-1.68", "attr_EQUIP_THEME": "Piscine"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and "Thème de classement" in response.json()["error"]


@pytest.mark.django_db
def test_an_unknown_token_or_an_event_that_is_no_cartopartie_is_not_found(
    make_event: Callable[..., Event],
) -> None:
    hackathon = make_event("hackathon")
    assert Client().get("/animations/collecte/inconnu/").status_code == 404
    assert Client().get(_url(hackathon)).status_code == 404


@pytest.mark.django_db
def test_the_collection_page_loads_no_tiles_by_default_and_the_configured_ones_otherwise(
    carto: Event, settings: Any
) -> None:
    page = Client().get(_url(carto)).content.decode()
    assert '"tiles": ""' in page and "tile.openstreetmap" not in page
    settings.ODL_ANIMATIONS_TILES_URL = "https://tuiles.example.org/{z}/{x}/{y}.png"
    assert "tuiles.example.org" in Client().get(_url(carto)).content.decode()


@pytest.mark.django_db
def test_the_organiser_reviews_and_exports_accepted_points_only(carto: Event, atd_client: Client) -> None:
    keep = CollectedPoint.objects.create(
        event=carto, client_id="1", name='Arbre "remarquable" & <vieux>', lat=48.11, lon=-1.68,
        attributes={"EQUIP_TYPE": "=HYPERLINK(1)"},
    )  # fmt: skip
    drop = CollectedPoint.objects.create(event=carto, client_id="2", name="Doublon", lat=48.12, lon=-1.67)
    url = reverse("animations:points", args=[carto.atd.slug, carto.pk])
    atd_client.post(url, {"point": keep.pk, "decision": "accept"})
    atd_client.post(url, {"point": drop.pk, "decision": "reject"})
    page = atd_client.get(url).content.decode()
    assert "&lt;vieux&gt;" in page and "<vieux>" not in page

    def export(fmt: str) -> bytes:
        response = atd_client.get(reverse("animations:points_export", args=[carto.atd.slug, carto.pk, fmt]))
        assert response.status_code == 200
        return bytes(response.content)

    csv_text = export("csv").decode("utf-8-sig")
    assert "Doublon" not in csv_text and "'=HYPERLINK(1)" in csv_text
    geo = json.loads(export("geojson"))
    assert [f["geometry"]["coordinates"] for f in geo["features"]] == [[-1.68, 48.11]]
    osm = ET.fromstring(export("osm"))
    [node] = osm.findall("node")
    assert osm.get("upload") == "false" and node.get("id") == "-1" and node.get("lat") == "48.1100000"
    assert {t.get("k"): t.get("v") for t in node.findall("tag")}["name"] == 'Arbre "remarquable" & <vieux>'


@pytest.mark.django_db
def test_another_atd_may_not_review_the_points(carto: Event, other_atd_client: Client) -> None:
    point = CollectedPoint.objects.create(event=carto, client_id="1", name="Banc", lat=48.11, lon=-1.68)
    url = reverse("animations:points", args=[carto.atd.slug, carto.pk])
    assert other_atd_client.post(url, {"point": point.pk, "decision": "reject"}).status_code == 403
    point.refresh_from_db()
    assert point.status == PointStatus.PENDING


@pytest.mark.django_db
def test_accepted_points_become_a_dataset_of_a_collectivite_through_its_import(
    carto: Event, atd_client: Client
) -> None:
    from odl.programme.models import Etd
    from odl.publishing import services
    from odl.publishing.models import Dataset
    from odl.territories.models import Territory

    rennes = Etd.objects.get_or_create(atd=carto.atd, territory=Territory.objects.get(code="35238"))[0]
    carto.etds.add(rennes)
    CollectedPoint.objects.create(
        event=carto, client_id="1", name="Gymnase", lat=48.11, lon=-1.68, status=PointStatus.ACCEPTED,
        attributes={"EQUIP_THEME": "Equipement sportif et de loisirs"},
    )  # fmt: skip
    CollectedPoint.objects.create(event=carto, client_id="2", name="Refusé", lat=48.12, lon=-1.67)
    url = reverse("animations:points_to_dataset", args=[carto.atd.slug, carto.pk])
    page = atd_client.get(reverse("animations:points", args=[carto.atd.slug, carto.pk])).content.decode()
    assert f'action="{url}"' in page and "Rennes" in page

    response = atd_client.post(url, {"etd": rennes.pk})
    dataset = Dataset.objects.get(etd=rennes)
    [draft] = dataset.drafts.all()
    assert response["Location"].endswith(f"/donnees/{dataset.pk}/import/{draft.pk}/colonnes/")
    assert dataset.schema_name == "equipements" and carto.title in dataset.title
    # The schema's own names: the mapping step finds them without help.
    chosen = dict(zip(draft.columns, draft.mapping, strict=True))
    assert chosen["EQUIP_THEME"] == "EQUIP_THEME"
    assert (chosen["EQUIP_LAT"], chosen["EQUIP_LONG"]) == ("EQUIP_LAT", "EQUIP_LONG")
    assert services.samples(draft, 5) == [["Gymnase", "Equipement sportif et de loisirs", "48.11", "-1.68"]]


@pytest.mark.django_db
def test_points_go_only_to_a_collectivite_of_the_event_and_only_when_accepted(
    carto: Event, atd_client: Client
) -> None:
    from odl.programme.models import Etd
    from odl.publishing.models import Dataset
    from odl.territories.models import Territory

    url = reverse("animations:points_to_dataset", args=[carto.atd.slug, carto.pk])
    bruz = Etd.objects.get_or_create(atd=carto.atd, territory=Territory.objects.get(code="35047"))[0]
    followed = atd_client.post(url, {"etd": bruz.pk}, follow=True).content.decode()
    assert "Choisissez l&#x27;une des collectivités associées à l&#x27;événement." in followed
    carto.etds.add(bruz)
    followed = atd_client.post(url, {"etd": bruz.pk}, follow=True).content.decode()
    assert "Aucun point accepté" in followed
    assert not Dataset.objects.exists()
