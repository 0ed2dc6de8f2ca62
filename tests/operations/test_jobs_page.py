"""The coordinators' page of the platform's jobs: every kind, its state in French, filters and paging."""

from __future__ import annotations

import datetime as dt
import uuid
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from odl.datagouv.models import DatagouvLink, Push, PushStatus
from odl.harvest.models import HarvestRun, HarvestSource
from odl.operations import views
from odl.operations.jobs import duration_label
from odl.schemas.models import JobStatus, ValidationJob
from odl.territories.models import Territory
from tests.core.test_query_counts import assert_queries_do_not_grow

URL = "/coordination/taches/"
HARVEST_FAILURE = "moissonnage interrompu : la source n'a pas été lue dans le temps imparti (1800 s)"
PUSH_FAILURE = "data.gouv.fr n'a pas répondu (délai dépassé) : l'envoi sera réessayé."

pytestmark = pytest.mark.django_db


class Jobs:
    def __init__(self, small_referentiel: Path) -> None:
        self.numbers = count(1)
        self.source = HarvestSource.objects.create(
            name="Portail de Rennes", kind="datagouv", url="https://x.fr"
        )
        rennes = Territory.objects.get(kind="commune", code="35238")
        self.link = DatagouvLink.objects.create(territory=rennes, organization_name="Ville de Rennes")

    def run(self, status: str = "failed", message: str = HARVEST_FAILURE) -> HarvestRun:
        run = HarvestRun.objects.create(source=self.source, status=status, message=message)
        # A run of 1 min 05 s.
        HarvestRun.objects.filter(pk=run.pk).update(finished_at=run.started_at + dt.timedelta(seconds=65))
        return run

    def push(self, status: str = PushStatus.FAILED, **fields: Any) -> Push:
        n = next(self.numbers)
        return Push.objects.create(
            link=self.link,
            local_id=f"jeu-{n}",
            title=f"Budget {n}",
            filename="budget.csv",
            status=status,
            **fields,
        )

    def validation(self, status: str = JobStatus.FAILED) -> ValidationJob:
        return ValidationJob.objects.create(
            batch=uuid.uuid4(), file_name="subventions.csv", status=status, message="Fichier illisible."
        )

    def grow(self, n: int) -> None:
        for _ in range(n):
            self.run()
            self.push(error=PUSH_FAILURE)
            self.validation()


@pytest.fixture
def jobs(small_referentiel: Path) -> Jobs:
    return Jobs(small_referentiel)


def test_the_page_lists_a_failed_harvest_run_and_a_failed_push_with_their_french_messages(
    coordinator_client: Client, jobs: Jobs
) -> None:
    jobs.run()
    next_try = timezone.now() + dt.timedelta(minutes=30)
    jobs.push(error=PUSH_FAILURE, retryable=True, next_attempt_at=next_try)
    jobs.validation(JobStatus.DONE)
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Portail de Rennes" in html and "1 min 05 s" in html
    assert "moissonnage interrompu : la source n&#x27;a pas été lue dans le temps imparti" in html
    assert "data.gouv.fr n&#x27;a pas répondu (délai dépassé)" in html and "Ville de Rennes" not in html
    assert "Rennes" in html  # the push's collectivité
    assert timezone.localtime(next_try).strftime("%d/%m/%Y %H:%M") in html
    assert html.count('state-echec">échec<') == 2 and 'state-termine">terminé<' in html
    assert "3 tâches." in html


def test_the_list_filters_by_kind_and_state(coordinator_client: Client, jobs: Jobs) -> None:
    jobs.run()
    jobs.run(status="partial", message="12 jeux vus, 1 en erreur")
    jobs.push(error=PUSH_FAILURE)
    jobs.push(status=PushStatus.PENDING)
    pushes = coordinator_client.get(URL, {"type": "datagouv"}).content.decode()
    assert "1 min 05 s" not in pushes and "2 tâches." in pushes
    failed = coordinator_client.get(URL, {"etat": "echec"}).content.decode()
    assert "2 tâches." in failed and "12 jeux vus" not in failed
    partial = coordinator_client.get(URL, {"type": "moissonnage", "etat": "partiel"}).content.decode()
    assert (
        "1 tâche." in partial
        and "12 jeux vus, 1 en erreur" in partial
        and "réussi avec des erreurs" in partial
    )


def test_an_unknown_filter_is_named_in_french_and_the_whole_list_shown(
    coordinator_client: Client, jobs: Jobs
) -> None:
    jobs.run()
    response = coordinator_client.get(URL, {"type": "cuisine", "etat": "fini"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Type de tâche inconnu : « cuisine »" in html and "État inconnu : « fini »" in html
    assert "1 tâche." in html


def test_the_list_is_paged_newest_first_across_kinds(
    coordinator_client: Client, jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PER_PAGE", 2)
    old = jobs.run(message="le plus ancien")
    HarvestRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(days=3))
    jobs.push(error="le plus récent")
    jobs.validation()
    first = coordinator_client.get(URL).content.decode()
    assert "le plus récent" in first and "le plus ancien" not in first and "Page 1 sur 2" in first
    second = coordinator_client.get(URL, {"page": 2}).content.decode()
    assert "le plus ancien" in second and "le plus récent" not in second


def test_the_page_queries_do_not_grow_with_the_jobs(coordinator_client: Client, jobs: Jobs) -> None:
    assert_queries_do_not_grow(coordinator_client, URL, jobs.grow)


def test_the_coordination_page_links_to_the_jobs(coordinator_client: Client) -> None:
    assert URL in coordinator_client.get("/coordination/").content.decode()


def test_durations_read_in_french() -> None:
    assert [duration_label(s) for s in (None, 4.4, 65, 7620)] == ["", "4 s", "1 min 05 s", "2 h 07 min"]
