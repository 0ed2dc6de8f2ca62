"""The ATD's data.gouv.fr pages: link a collectivité, keep its key secret, push, read the journal."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from udata_replay import VALID_KEY, Fault, Udata

from odl.datagouv.models import ApiCall, DatagouvLink, Push, PushStatus
from odl.territories.models import Territory

pytestmark = pytest.mark.django_db
ATD = "atd-ille-et-vilaine"
RENNES = "213502388"


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def page(client: Client, path: str = "") -> str:
    return f"/suivi/{ATD}/datagouv/{path}"


def test_the_atd_finds_the_organisation_by_siren_and_links_it(
    atd_client: Client, udata: Udata, rennes: Territory, rennes_org: dict[str, Any]
) -> None:
    udata.organization("Rennes Métropole", "24350013900189")
    response = atd_client.post(page(atd_client, f"{RENNES}/"), {"action": "search"})
    body = text(response)
    assert "Ville de Rennes" in body and "oui : même SIREN" in body and "Rennes Métropole" not in body
    response = atd_client.post(
        page(atd_client, f"{RENNES}/"), {"action": "choose", "organization": rennes_org["id"]}
    )
    assert response.status_code == 302
    link = DatagouvLink.objects.get(territory=rennes)
    assert (link.organization_name, link.business_number_id) == ("Ville de Rennes", "21350238800019")


def test_an_unknown_organisation_says_so_in_french(
    atd_client: Client, udata: Udata, rennes: Territory
) -> None:
    response = atd_client.post(
        page(atd_client, f"{RENNES}/"),
        {"action": "choose", "organization": "https://www.data.gouv.fr/fr/organizations/nulle-part/"},
    )
    assert "L'organisation est introuvable sur data.gouv.fr (404)" in text(response)
    assert not DatagouvLink.objects.filter(territory=rennes).exclude(organization_id="").exists()


def test_the_key_is_stored_encrypted_and_never_shown_again(
    atd_client: Client, udata: Udata, link: DatagouvLink
) -> None:
    new_key = VALID_KEY
    link.set_api_key("", None)
    link.save()
    response = atd_client.post(page(atd_client, f"{RENNES}/"), {"action": "key", "api_key": new_key})
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM datagouv_datagouvlink WHERE id = %s", [link.pk])
        stored = cursor.fetchone()[0]
    assert new_key not in stored and stored.startswith("gAAAA")
    link.refresh_from_db()
    assert link.api_key == new_key
    body = text(atd_client.get(page(atd_client, f"{RENNES}/")))
    assert new_key not in body and link.key_hint in body
    checked = atd_client.post(page(atd_client, f"{RENNES}/"), {"action": "check"}, follow=True)
    assert "La clé est valide : compte de Agnès Martin" in text(checked)


def test_a_key_that_looks_wrong_is_refused_with_a_message(atd_client: Client, link: DatagouvLink) -> None:
    response = atd_client.post(page(atd_client, f"{RENNES}/"), {"action": "key", "api_key": "court"})
    assert response.status_code == 400
    assert "ne ressemble pas à une clé d'API" in text(response)


def test_a_dry_run_then_a_push_from_the_form(atd_client: Client, udata: Udata, link: DatagouvLink) -> None:
    def form(mode: str) -> dict[str, Any]:
        return {
            "local_id": "subventions-2026",
            "title": "Subventions 2026",
            "description": "Subventions attribuées",
            "license": "fr-lo",
            "frequency": "annual",
            "schema_name": "scdl/subventions",
            "schema_version": "2.1.0",
            "tags": "subventions, scdl",
            "file": SimpleUploadedFile("subventions.csv", b"a,b\n1,2\n", content_type="text/csv"),
            "mode": mode,
        }

    dry = atd_client.post(page(atd_client, f"{RENNES}/envoyer/"), form("dry_run"), follow=True)
    body = text(dry)
    assert "Simulation" in body and "Jeu de données : création" in body and udata.datasets == {}
    done = atd_client.post(page(atd_client, f"{RENNES}/envoyer/"), form("push"), follow=True)
    body = text(done)
    assert "Envoyé" in body and "envoyé par l'ATD ATD Ille-et-Vilaine pour le compte de Rennes" in body
    assert len(udata.datasets) == 1
    calls = text(atd_client.get(page(atd_client, f"{RENNES}/appels/")))
    assert "POST http://127.0.0.1" in calls and VALID_KEY not in calls


def test_a_failed_push_shows_why_and_can_be_retried_from_its_page(
    atd_client: Client, udata: Udata, link: DatagouvLink
) -> None:
    from odl.datagouv import push as service

    udata.fail("POST", "/api/1/datasets/", Fault(500, {"message": "Internal Server Error"}))
    item = service.PushItem(local_id="x", title="X", description="", filename="x.csv", content=b"a\n1\n")
    record = service.push(link, item)
    body = text(atd_client.get(page(atd_client, f"{RENNES}/envois/{record.pk}/")))
    assert "data.gouv.fr est en erreur (500)" in body and "Réessayer maintenant" in body
    atd_client.post(page(atd_client, f"{RENNES}/envois/{record.pk}/"))
    record.refresh_from_db()
    assert record.status == PushStatus.DONE and len(udata.datasets) == 1


def test_a_collectivite_outside_the_perimeter_is_not_found(
    atd_client: Client, small_referentiel: Any
) -> None:
    assert atd_client.get(page(atd_client, "212202782/")).status_code == 404  # Saint-Brieuc, Côtes-d'Armor


def test_the_list_opens_a_collectivite_by_siren(atd_client: Client, small_referentiel: Any) -> None:
    response = atd_client.get(page(atd_client), {"collectivite": "213 502 388"})
    assert response.status_code == 302 and response["Location"].endswith(f"/datagouv/{RENNES}/")


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lists_run_as_many_queries_for_3n_rows_as_for_n(atd_client: Client, link: DatagouvLink) -> None:
    communes = list(Territory.objects.filter(kind="commune", departement_code="35").exclude(siren="")[1:])

    def grow(n: int) -> None:
        for _ in range(n):
            push = Push.objects.create(link=link, local_id="x", title="X", filename="x.csv", status="done")
            ApiCall.objects.create(link=link, push=push, method="GET", url="http://x/", status=200)
        for territory in communes[:n]:
            DatagouvLink.objects.get_or_create(territory=territory)

    for url in (page(atd_client), page(atd_client, f"{RENNES}/"), page(atd_client, f"{RENNES}/appels/")):
        grow(1)
        few = _count(atd_client, url)
        grow(3)
        assert _count(atd_client, url) == few, url


def test_the_collectivites_own_agent_sets_its_key_and_pushes_in_its_own_name(
    etd_client: Client, udata: Udata, link: DatagouvLink
) -> None:
    assert (
        etd_client.post(page(etd_client, f"{RENNES}/"), {"action": "key", "api_key": VALID_KEY}).status_code
        == 302
    )
    upload = SimpleUploadedFile("x.csv", b"a\n1\n", content_type="text/csv")
    data = {"local_id": "x", "title": "X", "description": "d", "license": "fr-lo", "frequency": "annual"}
    etd_client.post(page(etd_client, f"{RENNES}/envoyer/"), {**data, "file": upload, "mode": "push"})
    record = Push.objects.get()
    assert record.status == PushStatus.DONE and record.on_behalf_of_atd == ""
    assert etd_client.get(page(etd_client)).status_code == 403  # the ATD's list stays its team's


def test_an_agent_of_another_collectivite_is_refused(link: DatagouvLink) -> None:
    from django.contrib.auth import get_user_model

    from odl.accounts.models import EtdAgent
    from tests import personas

    agent = get_user_model().objects.create_user("bernard")
    bruz = Territory.objects.get(kind="commune", code="35047")
    EtdAgent.objects.create(user=agent, territory=bruz, atd=personas.atd_of())
    client = Client()
    client.force_login(agent)
    assert client.get(page(client, f"{RENNES}/")).status_code == 403
    assert client.get(page(client, "213500473/")).status_code == 200  # Bruz, its own


def test_when_the_search_ignores_sirets_the_name_search_puts_the_matching_siret_first(
    atd_client: Client, udata: Udata, rennes: Territory
) -> None:
    udata.search_business_numbers = False
    udata.organization("Rennes Métropole", "24350013900189")
    udata.organization("Ville de Rennes", "21350238800019")
    body = text(atd_client.post(page(atd_client, f"{RENNES}/"), {"action": "search"}))
    assert body.index("Ville de Rennes") < body.index("Rennes Métropole")
    assert "oui : même SIREN" in body and "non : trouvée par son nom" in body
