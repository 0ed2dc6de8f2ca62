"""Adding collectivités to an ATD's follow-up from the ciblage: the whole list or a selection."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from odl.atds.models import Atd, AtdKind
from odl.programme.models import Etd, EtdStep
from odl.programme.pipeline import add_to_followup
from odl.territories.models import Territory
from tests.programme.pipeline_helpers import alice_atd, commune, follow

pytestmark = pytest.mark.django_db


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_ciblage_page_offers_an_atd_member_to_add_the_list_or_a_selection(
    atd_client: Client, citizen: Client
) -> None:
    page = atd_client.get("/ciblage/", {"departement": "35"}).content.decode()
    assert "Ajouter au suivi de ATD Ille-et-Vilaine" in page
    assert 'formaction="/suivi/atd-ille-et-vilaine/ajouter/"' in page
    assert f'name="territory" value="{commune("35238").pk}" form="follow-form"' in page
    public = citizen.get("/ciblage/", {"departement": "35"}).content.decode()
    assert "Ajouter au suivi" not in public and 'form="follow-form"' not in public


def test_the_whole_filtered_list_is_added_at_once_and_outsiders_are_refused_by_name(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    response = atd_client.post(
        f"/suivi/{atd.slug}/ajouter/",
        {"tout": "1", "query": "region=53&kind=commune", "next": "/ciblage/?region=53"},
    )
    assert response.status_code == 302 and response["Location"] == "/ciblage/?region=53"
    followed = set(atd.etds.values_list("territory__nom", flat=True))
    assert followed == {"Rennes", "Bruz", "Pacé", "Acigné", "Betton"}
    (message,) = messages_of(response)
    assert "5 collectivités ajoutées, 2 hors périmètre (Étables-sur-Mer, Saint-Brieuc)." in message
    etd = atd.etds.get(territory__code="35238")
    assert etd.step == EtdStep.CIBLEE and etd.created_by == atd_agent
    (change,) = etd.history.all()
    assert change.by == atd_agent and change.step == EtdStep.CIBLEE


def test_a_selection_skips_those_already_followed_and_reports_them(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    follow(atd, "35238", "35047")
    ids = [commune(c).pk for c in ("35238", "35047", "35206", "2A004")]
    response = atd_client.post(f"/suivi/{atd.slug}/ajouter/", {"territory": ids})
    (message,) = messages_of(response)
    assert "1 collectivité ajoutée, 2 déjà suivies, 1 hors périmètre (Ajaccio)." in message
    assert atd.etds.count() == 3 and Etd.objects.filter(territory__code="2A004").count() == 0


def test_an_empty_selection_gets_a_french_message(atd_agent: Any, atd_client: Client) -> None:
    response = atd_client.post(f"/suivi/{alice_atd(atd_agent).slug}/ajouter/", {})
    assert "Cochez au moins une collectivité" in messages_of(response)[0]


def test_a_bad_ciblage_query_is_explained_not_a_500(atd_agent: Any, atd_client: Client) -> None:
    response = atd_client.post(
        f"/suivi/{alice_atd(atd_agent).slug}/ajouter/", {"tout": "1", "query": "seuil=beaucoup"}
    )
    assert response.status_code == 302
    assert "« beaucoup » n'est pas un nombre entier" in messages_of(response)[0]


def test_one_followed_by_another_atd_is_added_and_flagged_on_every_page(
    atd_agent: Any, atd_client: Client
) -> None:
    region = Atd.objects.create(name="Région Bretagne", kind=AtdKind.REGION)
    region.areas.add(Territory.objects.get(kind="region", code="53"))
    follow(region, "35238")
    atd = alice_atd(atd_agent)
    response = atd_client.post(f"/suivi/{atd.slug}/ajouter/", {"territory": [commune("35238").pk]})
    message = messages_of(response)[0]
    assert "1 collectivité ajoutée." in message and "Rennes (aussi suivie par Région Bretagne)" in message
    assert Etd.objects.filter(territory__code="35238").count() == 2
    etd = atd.etds.get()
    for url in (f"/suivi/{atd.slug}/", f"/suivi/{atd.slug}/tableau/", f"/suivi/{atd.slug}/etd/{etd.pk}/"):
        assert "aussi suivie par Région Bretagne" in atd_client.get(url).content.decode(), url


def test_staff_of_another_atd_cannot_add_to_this_one(atd_agent: Any, small_referentiel: Any) -> None:
    from tests import personas

    other = personas.logged_in(personas.atd_agent("corse", territory=("departement", "2A")))
    atd = alice_atd(atd_agent)
    assert other.post(f"/suivi/{atd.slug}/ajouter/", {"territory": [commune("35238").pk]}).status_code == 403
    assert not atd.etds.exists()


def test_adding_twice_in_a_row_never_duplicates(atd_agent: Any) -> None:
    atd = alice_atd(atd_agent)
    ids = [commune("35238").pk, commune("35238").pk]
    assert add_to_followup(atd, ids, by=atd_agent).added == ["Rennes"]
    again = add_to_followup(atd, ids, by=atd_agent)
    assert again.added == [] and again.already == ["Rennes"]
    assert again.summary() == "0 collectivité ajoutée, 1 déjà suivie."
