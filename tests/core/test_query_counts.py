"""List pages and API lists run as many queries for 3N rows as for N: no query per row (N+1).

Each test renders a page with N rows, adds 2N more, renders it again and compares the two counts, so a
loop that hits the database once per row fails here whatever the page's fixed number of queries is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from odl.harvest.models import HarvestedDataset, HarvestRun, HarvestSource, Publisher
from odl.observatory.history import take_snapshot
from odl.observatory.models import Snapshot
from odl.schemas.models import ValidationRun
from odl.territories.models import Territory
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv

N = 4

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(captured.captured_queries)


def assert_queries_do_not_grow(client: Client, url: str, grow: Callable[[int], None]) -> int:
    grow(N)
    few = queries_for(client, url)
    grow(2 * N)
    many = queries_for(client, url)
    assert many == few, f"{url}: {few} requêtes pour {N} lignes, {many} pour {3 * N}"
    return few


class Population:
    """Rows in every list: communes of Ille-et-Vilaine (members of Rennes Métropole), each published
    on a national source and on an ATD source, a publisher to review per commune, a run per ATD source."""

    def __init__(self) -> None:
        self.numbers = count(1)
        self.dep = Territory.objects.get(kind="departement", code="35")
        self.metropole = Territory.objects.get(kind="epci", code="243500139")
        self.national = HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url="https://x.fr")

    def commune(self, code: str, nom: str, **fields: Any) -> Territory:
        return Territory.objects.create(
            kind="commune",
            code=code,
            siren=f"2{code}000",
            nom=nom,
            departement_code="35",
            region_code="53",
            epci=self.metropole,
            **fields,
        )

    def grow(self, n: int) -> None:
        for _ in range(n):
            i = next(self.numbers)
            commune = self.commune(f"359{i:02d}", f"Commune {i}", population=5000 + i, agents=60)
            # An obliged commune that publishes nothing: a row of the "not yet open" list.
            self.commune(f"358{i:02d}", f"Commune fermée {i}", population=4000 + i)
            owned = HarvestSource.objects.create(
                name=f"Portail {i}", kind="ckan", url=f"https://portail-{i}.fr", owner=self.dep
            )
            HarvestRun.objects.create(
                source=owned,
                status="partial",
                finished_at=timezone.now(),
                errors=[{"remote_id": f"r-{i}", "error": "illisible"}],
            )
            for source in (self.national, owned):
                publisher = Publisher.objects.create(
                    source=source,
                    remote_id=f"p-{i}",
                    name=f"Mairie {i}",
                    territory=commune,
                    on_behalf_of=self.metropole,
                    match_status="auto",
                    match_method="siren",
                )
                HarvestedDataset.objects.create(
                    source=source,
                    publisher=publisher,
                    remote_id=f"d-{i}",
                    title=f"Jeu {i}",
                    url=f"https://example.org/{i}",
                    schemas=["scdl/subventions"],
                )
            Publisher.objects.create(
                source=self.national,
                remote_id=f"a-revoir-{i}",
                name=f"Commune {i} ?",
                candidate=commune,
                match_status="to_review",
            )

    def grow_and_snapshot(self, n: int) -> None:
        self.grow(n)
        Snapshot.objects.all().delete()
        take_snapshot()

    def grow_history(self, n: int) -> None:
        """n more snapshots, one a day before the oldest, the newest on top."""
        if not Snapshot.objects.exists():
            self.grow(N)
        oldest = Snapshot.objects.order_by("date").values_list("date", flat=True).first()
        start = oldest or timezone.localdate() + dt.timedelta(days=1)
        for days in range(1, n + 1):
            take_snapshot(start - dt.timedelta(days=days))


@pytest.fixture
def population(small_referentiel: Path) -> Population:
    return Population()


@pytest.mark.parametrize(
    ("url", "rows"),
    [
        ("/ciblage/?departement=35", "grow"),
        ("/api/targets?departement=35", "grow"),
        ("/api/territories?departement=35", "grow"),
        ("/api/observatoire/jeux?page_size=1000", "grow"),
        ("/api/observatoire/sources", "grow"),
        ("/api/observatoire/editeurs?page_size=1000", "grow"),
        # The observatory measures a snapshot: take a fresh one over the grown population.
        ("/observatoire/?departement=35", "grow_and_snapshot"),
        ("/observatoire/collectivites/ouvertes/?departement=35", "grow_and_snapshot"),
        ("/observatoire/collectivites/toutes-ouvertes/?departement=35", "grow_and_snapshot"),
        ("/observatoire/collectivites/non-ouvertes/?departement=35", "grow_and_snapshot"),
    ],
)
def test_public_lists_run_as_many_queries_for_3n_rows_as_for_n(
    citizen: Client, population: Population, url: str, rows: str
) -> None:
    assert_queries_do_not_grow(citizen, url, getattr(population, rows))


def test_the_snapshot_list_runs_as_many_queries_for_3n_snapshots_as_for_n(
    citizen: Client, population: Population
) -> None:
    assert_queries_do_not_grow(citizen, "/observatoire/instantanes/", population.grow_history)


def test_the_dashboard_runs_as_many_queries_for_3n_snapshots_as_for_n(
    citizen: Client, population: Population
) -> None:
    assert_queries_do_not_grow(citizen, "/observatoire/?departement=35", population.grow_history)


@pytest.mark.parametrize("persona", ["coordinator_client", "atd_client"])
@pytest.mark.parametrize(
    "url",
    [
        "/observatoire/moissonnage/",
        "/observatoire/moissonnage/editeurs/?statut=to_review",
        "/observatoire/moissonnage/sources/{national}/",
    ],
)
def test_harvest_lists_run_as_many_queries_for_3n_rows_as_for_n(
    request: pytest.FixtureRequest, population: Population, persona: str, url: str
) -> None:
    client: Client = request.getfixturevalue(persona)
    assert_queries_do_not_grow(client, url.format(national=population.national.pk), population.grow)


def test_a_harvest_run_page_runs_as_many_queries_for_3n_errors_as_for_n(
    atd_client: Client, population: Population
) -> None:
    run = HarvestRun.objects.create(source=population.national, status="partial", finished_at=timezone.now())

    def grow(n: int) -> None:
        run.errors = [*run.errors, *({"remote_id": f"e-{i}", "error": "illisible"} for i in range(n))]
        run.save()

    assert_queries_do_not_grow(atd_client, f"/observatoire/moissonnage/passages/{run.pk}/", grow)


def test_a_validation_report_page_runs_as_many_queries_for_3n_bad_rows_as_for_n(
    citizen: Client, tmp_path: Path
) -> None:
    def validate(n: int) -> str:
        bad = [[*SUB_GOOD[:8], f"{i},5 euros", *SUB_GOOD[9:]] for i in range(n)]
        with write_csv(tmp_path / f"subventions-{n}.csv", SUB_HEADER, bad).open("rb") as upload:
            citizen.post("/validation/", {"file": upload, "schema": "subventions"})
        return f"/validation/rapports/{ValidationRun.objects.latest('created_at').pk}/"

    few = queries_for(citizen, validate(N))
    many = queries_for(citizen, validate(3 * N))
    assert many == few
