"""Harvest jobs: in-process by default, one Celery task per source when a broker is configured."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celery import group
from django.conf import settings

from odl.celery import app
from odl.harvest.harvesters.runner import Progress, announce_finished, run_source
from odl.harvest.matching import ReferentielIndex
from odl.harvest.models import HarvestRun, HarvestSource

# How long the command waits for the workers before giving up on the remaining sources.
WAIT_SECONDS = 6 * 3600


def celery_enabled() -> bool:
    return bool(settings.CELERY_BROKER_URL) and not app.conf.task_always_eager


@app.task(name="harvest.harvest_source")
def harvest_source(
    source_id: int, trigger: str = "celery", announce_after: bool = True, accept_drop: bool = False
) -> int:
    """Harvest one source; returns the id of its run."""
    source = HarvestSource.objects.get(pk=source_id)
    return run_source(source, trigger=trigger, announce_after=announce_after, accept_drop=accept_drop).pk


def harvest(
    sources: Sequence[HarvestSource],
    *,
    trigger: str = "cli",
    progress: Progress | None = None,
    accept_drop: bool = False,
) -> list[HarvestRun]:
    """Harvest sources and wait for them: on Celery workers in parallel, or here one after the other."""
    if not sources:
        return []
    if celery_enabled():
        # Workers only store; deduplication crosses sources, so it runs once, here, at the end,
        # followed by the day's snapshot.
        job = group(harvest_source.s(s.pk, trigger, False, accept_drop) for s in sources).apply_async()
        run_ids: list[Any] = job.get(timeout=WAIT_SECONDS, propagate=False)
        announce_finished()
        runs = HarvestRun.objects.in_bulk([r for r in run_ids if isinstance(r, int)])
        return [runs[r] for r in run_ids if isinstance(r, int) and r in runs]
    index = ReferentielIndex()
    runs_here = [
        run_source(
            s, trigger=trigger, progress=progress, index=index, announce_after=False, accept_drop=accept_drop
        )
        for s in sources
    ]
    announce_finished()
    return runs_here


def start(source: HarvestSource, trigger: str = "web") -> int | None:
    """Start one harvest from the web: queued on a worker when Celery runs, else done now.

    Returns the run id when it ran in-process, None when a worker will pick it up.
    """
    if celery_enabled():
        harvest_source.delay(source.pk, trigger)
        return None
    return run_source(source, trigger=trigger).pk
