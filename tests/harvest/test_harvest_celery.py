"""The Celery path against the real Redis gives the same results as the in-process path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from harvest_replay import Replay, load, paged_ckan, serve_udata_fixtures

from odl.harvest import tasks
from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
from tests.celery_worker import REDIS, redis_up, redis_worker


def picture() -> list[tuple[Any, ...]]:
    """What the measurement side reads, independent of database ids."""
    return sorted(
        (
            d.source.name,
            d.remote_id,
            d.title,
            d.archived_at is None,
            d.duplicate_of.remote_id if d.duplicate_of else None,
            d.publisher.match_status if d.publisher else None,
            d.publisher.territory_id if d.publisher else None,
            tuple(d.schemas),
        )
        for d in HarvestedDataset.objects.select_related("source", "publisher", "duplicate_of")
    )


def declare_sources(replay: Replay, harvest_data: Path) -> list[HarvestSource]:
    serve_udata_fixtures(replay, harvest_data)
    datasets = load(harvest_data, "datagouv/udata-fixtures-results.json")["datasets"]
    garein = next(b["dataset"] for b in datasets if b["dataset"]["title"].startswith("Base adresse locale"))
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    packages[0] = {**packages[0], "id": garein["harvest"]["remote_id"], "title": garein["title"]}
    paged_ckan(replay, packages)
    replay.raw("/dcat", (harvest_data / "dcat/udata-tests/catalog.xml").read_bytes(), "application/rdf+xml")
    return [
        HarvestSource.objects.create(name="dg", kind="datagouv", url=replay.url()),
        HarvestSource.objects.create(name="ckan", kind="ckan", url=replay.url()),
        HarvestSource.objects.create(name="dcat", kind="dcat", url=replay.url("/dcat")),
        HarvestSource.objects.create(name="broken", kind="dcat", url=replay.url("/missing")),
    ]


@pytest.mark.django_db(transaction=True)
def test_celery_workers_on_redis_harvest_like_the_in_process_path(
    replay: Replay, harvest_data: Path, small_referentiel: Path, settings: Any
) -> None:
    if not redis_up():
        pytest.skip("Redis absent sur 127.0.0.1:6379")
    sources = declare_sources(replay, harvest_data)
    in_process = tasks.harvest(sources)
    assert not tasks.celery_enabled()
    expected = picture()
    assert sorted(r.status for r in in_process) == ["failed", "success", "success", "success"]

    HarvestedDataset.objects.all().delete()
    Publisher.objects.all().delete()
    settings.CELERY_BROKER_URL = REDIS
    # The in-memory SQLite test database locks whole tables: parallel workers need PostgreSQL.
    concurrency = 3 if connection.vendor == "postgresql" else 1
    with redis_worker(concurrency):
        assert tasks.celery_enabled()
        runs = tasks.harvest(sources, trigger="celery")
    assert sorted(r.status for r in runs) == ["failed", "success", "success", "success"]
    assert {r.trigger for r in runs} == {"celery"}
    assert picture() == expected
