"""From the data space to data.gouv.fr: the latest published version of a dataset, sent to the
collectivité's organisation (a local replay of data.gouv.fr), created once and updated after."""

from __future__ import annotations

import html
from typing import Any

import pytest
from udata_replay import Udata

from odl.datagouv.models import DatagouvLink, Push, PushStatus
from odl.programme.models import Etd
from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from odl.territories.models import Territory
from tests import personas
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

pytestmark = pytest.mark.django_db


def _table(*amounts: str) -> bytes:
    lines = [",".join(SUB_HEADER)]
    for amount in amounts:
        row = list(SUB_GOOD)
        row[SUB_HEADER.index("montant")] = amount
        lines.append(",".join(f'"{v}"' for v in row))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def dataset(rennes: Territory) -> Dataset:
    etd = Etd.objects.get_or_create(atd=personas.atd_of(), territory=rennes)[0]
    found = Dataset.objects.create(
        etd=etd, schema_name="subventions", title="Subventions 2026", frequency="annual", public=True
    )
    publish(found, _table("1500"), known("subventions"), by=None, valid=True)
    return found


def _url(dataset: Dataset) -> str:
    return f"/suivi/{dataset.etd.atd.slug}/etd/{dataset.etd_id}/donnees/{dataset.pk}/datagouv/"


def test_the_atd_sends_the_latest_version_then_updates_the_same_dataset(
    dataset: Dataset, link: DatagouvLink, udata: Udata
) -> None:
    client = personas.logged_in(personas.atd_agent())
    page = client.get(f"/suivi/{dataset.etd.atd.slug}/etd/{dataset.etd_id}/donnees/{dataset.pk}/")
    assert "Envoyer sur data.gouv.fr" in page.content.decode()

    response = client.post(_url(dataset), {"mode": "push"})
    first = Push.objects.get()
    assert response["Location"].endswith(f"/datagouv/{dataset.etd.territory.siren}/envois/{first.pk}/")
    assert first.status == PushStatus.DONE, first.error
    assert first.on_behalf_of_atd == dataset.etd.atd.name
    [remote] = udata.datasets.values()
    assert remote["title"] == "Subventions 2026" and remote["frequency"] == "annual"
    assert remote["extras"]["odl_local_id"] == f"donnees-{dataset.pk}"
    [resource] = remote["resources"]
    assert resource["schema"]["name"] == known("subventions").identifier

    publish(dataset, _table("1500", "320"), known("subventions"), by=None, valid=True)
    client.post(_url(dataset), {"mode": "push"})
    assert len(udata.datasets) == 1, "une seconde publication met à jour le même jeu"
    assert Push.objects.filter(status=PushStatus.DONE).count() == 2
    page = client.get(f"/suivi/{dataset.etd.atd.slug}/etd/{dataset.etd_id}/donnees/{dataset.pk}/")
    assert "Dernier envoi" in page.content.decode()


def test_a_simulation_sends_nothing(dataset: Dataset, link: DatagouvLink, udata: Udata) -> None:
    client = personas.logged_in(personas.atd_agent())
    client.post(_url(dataset), {"mode": "dry_run"})
    assert Push.objects.get().status == PushStatus.DRY_RUN
    assert udata.datasets == {}


def test_without_a_link_the_page_says_how_to_make_one(dataset: Dataset, udata: Udata) -> None:
    client = personas.logged_in(personas.atd_agent())
    page = client.get(f"/suivi/{dataset.etd.atd.slug}/etd/{dataset.etd_id}/donnees/{dataset.pk}/").content
    assert "Lier la collectivité à data.gouv.fr" in page.decode()
    response = client.post(_url(dataset), {"mode": "push"}, follow=True)
    assert "Liez d'abord la collectivité à son organisation data.gouv.fr." in html.unescape(
        response.content.decode()
    )
    assert not Push.objects.exists()


def test_a_dataset_never_published_is_not_sent(rennes: Territory, link: DatagouvLink, udata: Udata) -> None:
    etd = Etd.objects.get_or_create(atd=personas.atd_of(), territory=rennes)[0]
    empty = Dataset.objects.create(etd=etd, schema_name="subventions", title="Vide")
    client = personas.logged_in(personas.atd_agent())
    response = client.post(_url(empty), {"mode": "push"}, follow=True)
    assert "Publiez d'abord une version de ce jeu de données ici" in html.unescape(response.content.decode())
    assert udata.datasets == {}


def test_an_agent_of_the_collectivite_sends_it_in_its_own_name(
    dataset: Dataset, link: DatagouvLink, udata: Udata, etd_agent: Any
) -> None:
    from odl.accounts.models import EtdAgent

    EtdAgent.objects.get_or_create(user=etd_agent, territory=dataset.etd.territory, atd=dataset.etd.atd)
    personas.logged_in(etd_agent).post(_url(dataset), {"mode": "push"})
    record = Push.objects.get()
    assert record.status == PushStatus.DONE, record.error
    assert record.on_behalf_of_atd == ""
