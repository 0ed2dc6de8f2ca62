"""End to end: publish here → harvest the platform's own DCAT catalogue → the commitment turns « tenu ».

A real server (pytest-django's ``live_server``) serves the catalogue and the downloads; the harvest reads
the Turtle catalogue over HTTP, the observatory's pipeline (deduplication, SCDL checks that download
the published CSV, snapshot) runs on ``harvest_finished``, and the programme's commitment check on the
snapshot. Nothing is faked between the publication and the commitment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestedDataset, HarvestSource, MatchStatus
from odl.observatory.models import SnapshotEntry
from odl.programme.models import Commitment, CommitmentKind, CommitmentStatus, Etd
from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = (
    ",".join(SUB_HEADER) + "\n" + "\n".join(",".join(f'"{v}"' for v in SUB_GOOD) for _ in range(3)) + "\n"
).encode()


@pytest.fixture
def harvest_settings(settings: Any, live_server: Any) -> None:
    settings.SITE_URL = live_server.url
    settings.ODL_HARVEST_BACKOFF = 0.01
    settings.ODL_HARVEST_TIMEOUT = 10.0
    settings.ODL_HARVEST_RETRIES = 1


def test_a_dataset_published_here_is_harvested_from_the_own_catalogue_and_meets_the_commitment(
    etd: Etd, live_server: Any, harvest_settings: None
) -> None:
    commitment = Commitment.objects.create(
        etd=etd, kind=CommitmentKind.PUBLISH, schema_id="scdl/subventions", due_date=dt.date(2099, 1, 1)
    )
    dataset = Dataset.objects.create(
        etd=etd, schema_name="subventions", title="Subventions 2024", siret="21350238800019"
    )
    Dataset.objects.create(etd=etd, schema_name="subventions", title="Brouillon jamais publié")
    publish(dataset, TABLE, known("subventions"), by=None, valid=True)
    source = HarvestSource.objects.create(
        name="Catalogue de la plateforme", kind="dcat", url=f"{live_server.url}/donnees/catalogue.ttl"
    )

    run = run_source(source)

    assert run.status == "success", run.message
    [harvested] = HarvestedDataset.objects.all()  # the unpublished draft is not in the catalogue
    assert harvested.url == f"{live_server.url}/donnees/{dataset.pk}/"
    # The publisher is recognised by the SIREN the catalogue gives, not by guessing from its name.
    assert harvested.publisher is not None
    assert harvested.publisher.territory_id == etd.territory_id
    assert harvested.publisher.match_status == MatchStatus.AUTO
    assert harvested.publisher.match_method == "siren"
    # dct:conformsTo names the SCDL schema; the platform's validator downloaded the CSV and passed it.
    assert harvested.schemas == ["scdl/subventions"]
    checks = [c for c in harvested.scdl_validation if c["url"].endswith("/dernier.csv")]
    assert [(c["valid"], c["errors"], c["rows"], c["reason"]) for c in checks] == [(True, 0, 3, "")]

    entry = SnapshotEntry.objects.get(territory=etd.territory, snapshot__origin="harvest")
    assert entry.is_open and entry.scdl_valid and entry.scdl_valid >= 1

    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.TENU
    assert commitment.status_set_by == "auto"
    assert commitment.evidence_dataset_id == harvested.pk


def test_a_second_harvest_of_the_unchanged_catalogue_downloads_nothing_again(
    etd: Etd, live_server: Any, harvest_settings: None
) -> None:
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions 2024")
    publish(dataset, TABLE, known("subventions"), by=None, valid=True)
    source = HarvestSource.objects.create(
        name="Catalogue de la plateforme", kind="dcat", url=f"{live_server.url}/donnees/catalogue.ttl"
    )
    run_source(source)
    first = HarvestedDataset.objects.get().scdl_validation
    second = run_source(source)
    assert second.status == "success" and second.items_updated == 0
    assert HarvestedDataset.objects.get().scdl_validation == first
