"""Run a harvest: read every page of a source, then store, match and deduplicate in one transaction.

A source is read completely before anything is written, so a source that fails half-way (timeout,
500, 429, endless paging, garbage) leaves what earlier harvests stored untouched. The run records
what it saw and each failure.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.db import DatabaseError, connections, models, transaction
from django.utils import timezone

from odl.core import logs
from odl.core.processes import dead_pid, process_token
from odl.core.text import fold
from odl.harvest import matching
from odl.harvest.harvesters.base import ANNOUNCED_TOLERANCE, REGISTRY, harvester_for
from odl.harvest.harvesters.cleaning import page_key, safe_url
from odl.harvest.harvesters.client import harvest_setting
from odl.harvest.harvesters.errors import BudgetExceeded, HarvestError
from odl.harvest.harvesters.items import HarvestedItem, Page
from odl.harvest.harvesters.scdl import detect_schemas
from odl.harvest.models import (
    ARCHIVED_VANISHED,
    RUN_STATUS_LABELS,
    HarvestedDataset,
    HarvestRun,
    HarvestSource,
    Publisher,
)
from odl.harvest.secrets import redact_errors
from odl.harvest.signals import harvest_finished

logger = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]
MAX_RECORDED_ERRORS = 200
CHUNK = 900  # ids per IN (...): below SQLite's default limit of host parameters per statement
# Rows per INSERT: Django lowers it to what the database accepts (SQLite), and it keeps PostgreSQL
# statements under psycopg's 65,535 parameters.
BATCH = 2000

# Bump when title_key, SCDL detection or URL cleaning change: every dataset is then rewritten once.
DERIVATION_VERSION = 2
STATUS_RUNNING = "running"
STATUS_SUCCESS = "success"
STATUS_PARTIAL = "partial"
STATUS_FAILED = "failed"
STATUS_LABELS = RUN_STATUS_LABELS


def preview(
    kind: str, url: str, filters: dict[str, Any] | None = None, http: httpx.Client | None = None
) -> Page:
    """Harvest the first page of a source without storing anything (the "tester cette source" button)."""
    with harvester_for(kind, url, filters, http=http) as harvester:
        # Someone is waiting in front of the form: one retry at most, not a full back-off sequence.
        harvester.client.retries = min(harvester.client.retries, 1)
        budget = float(harvest_setting("ODL_HARVEST_SOURCE_BUDGET", 1800))
        harvester.client.set_deadline(time.monotonic() + budget if budget > 0 else None)
        return harvester.first_page()


def release_dead_runs(source: HarvestSource) -> int:
    """Mark failed the runs of ``source`` whose process died; returns how many were released.

    On this host a dead holder (PID gone, zombie, or reused by another process) is seen at once;
    a run held elsewhere is released when its heartbeat is older than ``ODL_HARVEST_STALE_SECONDS``.
    """
    now = timezone.now()
    stale_after = timedelta(seconds=float(harvest_setting("ODL_HARVEST_STALE_SECONDS", 1800)))
    released = 0
    for run in HarvestRun.objects.filter(source=source, status=STATUS_RUNNING):
        pid = dead_pid(run.worker) if run.worker else None
        reason = None if pid is None else f"le processus {pid} qui moissonnait cette source s'est arrêté"
        last = run.heartbeat_at or run.started_at
        if reason is None and last < now - stale_after:
            reason = (
                f"plus aucun signe de vie du moissonnage depuis le "
                f"{timezone.localtime(last):%d/%m/%Y à %H:%M}"
            )
        if reason is None:
            continue
        released += HarvestRun.objects.filter(pk=run.pk, status=STATUS_RUNNING).update(
            status=STATUS_FAILED,
            finished_at=now,
            message=f"interrompu : {reason} ; le verrou de la source a été libéré",
        )
    return released


def run_source(
    source: HarvestSource,
    *,
    trigger: str = "cli",
    progress: Progress | None = None,
    http: httpx.Client | None = None,
    index: matching.ReferentielIndex | None = None,
    announce_after: bool = True,
    accept_drop: bool = False,
) -> HarvestRun:
    # A run left "running" by a process that died must not block its source.
    release_dead_runs(source)
    busy = HarvestRun.objects.filter(source=source, status=STATUS_RUNNING).exists()
    run = HarvestRun.objects.create(
        source=source,
        trigger=trigger,
        status=STATUS_RUNNING,
        worker=process_token(),
        heartbeat_at=timezone.now(),
    )
    logs.log_start(logger, "harvest.run", run_id=run.pk, source_id=source.pk, trigger=trigger)
    failures: list[dict[str, str]] = []
    if busy:
        return _finish(run, STATUS_FAILED, "un autre moissonnage de cette source est déjà en cours", failures)
    if not source.active:
        # A harvest would bring back the datasets the deactivation archived.
        return _finish(
            run, STATUS_FAILED, "source désactivée : réactivez-la avant de la moissonner", failures
        )
    budget = float(harvest_setting("ODL_HARVEST_SOURCE_BUDGET", 1800))
    deadline = time.monotonic() + budget if budget > 0 else None
    records = 0
    try:
        items: dict[str, HarvestedItem] = {}
        with harvester_for(source.kind, source.harvest_url, source.filters, http=http) as harvester:
            harvester.client.set_deadline(deadline)
            for page in harvester.pages():
                for item in page.items:
                    items[item.remote_id] = item
                records += page.records
                failures.extend(page.failures)
                run.pages += 1
                run.items_seen = len(items)
                # A progress line for the web page and a heartbeat for the lock: a cheap UPDATE per
                # page, outside the final transaction.
                HarvestRun.objects.filter(pk=run.pk).update(
                    pages=run.pages, items_seen=run.items_seen, heartbeat_at=timezone.now()
                )
                if progress:
                    progress(len(items), page.total)
                if deadline is not None and time.monotonic() >= deadline:
                    raise BudgetExceeded(f"{harvester.label} : temps imparti dépassé après {run.pages} pages")
        technology = getattr(harvester, "technology_hint", "") or harvester.technology
    except BudgetExceeded as exc:
        return _finish(
            run,
            STATUS_FAILED,
            f"moissonnage interrompu : la source n'a pas été lue dans le temps imparti ({budget:g} s) ; "
            f"rien n'a été modifié ({exc})",
            failures,
        )
    except HarvestError as exc:
        return _finish(run, STATUS_FAILED, str(exc), failures)
    except Exception as exc:  # an unexpected bug must not take the other sources down
        logger.exception("harvest of source %s failed", source.pk)
        return _finish(run, STATUS_FAILED, f"erreur inattendue : {exc.__class__.__name__} : {exc}", failures)

    HarvestRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    run.held_back = "" if accept_drop else hold_back(source, harvester, records, len(items))
    try:
        stats = store(source, list(items.values()), index=index, archive=not run.held_back)
        if announce_after:
            announce_finished()
    except DatabaseError as exc:
        # store() is one transaction: nothing of this run was kept.
        logger.exception("storing the harvest of source %s failed", source.pk)
        return _finish(
            run, STATUS_FAILED, f"enregistrement impossible, rien n'a été modifié : {exc}", failures
        )
    if not source.technology:
        HarvestSource.objects.filter(pk=source.pk).update(technology=technology)
        source.technology = technology
    run.items_seen = len(items)
    run.items_new, run.items_updated, run.items_archived = stats.new, stats.updated, stats.archived
    status = STATUS_PARTIAL if failures or run.held_back else STATUS_SUCCESS
    message = (
        f"{len(items)} jeux vus, {stats.new} nouveaux, {stats.updated} modifiés, {stats.archived} archivés"
        + (f", {len(failures)} en erreur" if failures else "")
        + (f" ; rien n'a été archivé : {run.held_back}" if run.held_back else "")
    )
    return _finish(run, status, message, failures)


# A small portal losing one or two datasets is a real change, not a failure (3 → 2 is a 33 % drop);
# losing them all still is one.
SMALL_DROP = 2


def hold_back(source: HarvestSource, harvester: Any, records: int, seen: int) -> str:
    """Why this run must archive nothing (French, for the run's page), or "" when it may.

    A run that ended paging early, read clearly fewer records than the source announced, or saw more
    than ``ODL_HARVEST_MAX_DROP`` % fewer datasets than the last successful run cannot tell a dataset
    that vanished from one it did not reach.
    """
    if harvester.shortfalls:
        return "la pagination s'est arrêtée avant la fin annoncée (" + " ; ".join(harvester.shortfalls) + ")"
    announced = harvester.announced
    if announced and records < announced * (1 - ANNOUNCED_TOLERANCE):
        return f"{records} jeux lus alors que la source en annonce {announced}"
    max_drop = float(harvest_setting("ODL_HARVEST_MAX_DROP", 20))
    if max_drop >= 100:
        return ""
    previous = (
        HarvestRun.objects.filter(source=source, status=STATUS_SUCCESS)
        .order_by("-started_at", "-pk")
        .values_list("items_seen", flat=True)
        .first()
    )
    if previous and seen < previous * (1 - max_drop / 100) and previous - seen > SMALL_DROP:
        drop = 100 * (previous - seen) / previous
        return (
            f"{seen} jeux vus contre {previous} au dernier passage réussi, une baisse de {drop:.0f} % "
            f"au-delà du seuil de {max_drop:g} % (ODL_HARVEST_MAX_DROP) ; si la baisse est réelle, "
            "relancez avec « odl harvest --accept-drop »"
        )
    return ""


def _finish(run: HarvestRun, status: str, message: str, failures: list[dict[str, str]]) -> HarvestRun:
    run.status = status
    # Messages quote the URLs they fetched: the source's credentials are masked before anyone reads them.
    run.message = run.source.redact(message)
    run.items_failed = len(failures)
    run.errors = redact_errors(failures[:MAX_RECORDED_ERRORS], run.source.secret)
    run.finished_at = run.heartbeat_at = timezone.now()
    run.save()
    logs.log_end(
        logger,
        "harvest.run",
        run.duration,
        run_id=run.pk,
        source_id=run.source_id,
        status=status,
        items_seen=run.items_seen,
        items_failed=run.items_failed,
    )
    return run


@dataclass
class StoreStats:
    new: int = 0
    updated: int = 0
    archived: int = 0
    publishers_new: int = 0


def title_key(title: str, publisher_name: str) -> str:
    folded = fold(title)
    if not folded or not publisher_name:
        return ""
    return f"{folded[:200]}|{matching.core_name(publisher_name)[0][:90]}"


def _hash(values: list[Any]) -> str:
    return hashlib.md5(
        json.dumps(values, default=str, sort_keys=True).encode(), usedforsecurity=False
    ).hexdigest()


DATASET_FIELDS = [
    "url",
    "title",
    "description",
    "publisher",
    "license",
    "remote_created",
    "remote_modified",
    "tags",
    "resources",
    "schemas",
    "dedup_key",
    "title_key",
    "content_hash",
    "archived_at",
    "archived_reason",
    "last_seen",
]


def insert_datasets(datasets: list[dict[str, Any]]) -> None:
    """INSERT new datasets (dicts keyed by attname) with ``executemany``.

    The ORM's bulk_create spends most of a national harvest building model instances and compiling SQL
    value by value (see bench/harvest_processing.py); this builds the statement once.
    """
    if not datasets:
        return
    connection = connections[HarvestedDataset.objects.db]
    fields = [f for f in HarvestedDataset._meta.concrete_fields if not f.primary_key]
    # Plain text and integers go as they are; dates and JSON need the backend's own adaptation.
    adapted = [isinstance(f, (models.DateTimeField, models.JSONField)) for f in fields]
    table = connection.ops.quote_name(HarvestedDataset._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.attname) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    # Columns the harvest does not fill (the SCDL checks come later) take the model's default.
    defaults = {f.attname: f.get_default() for f in fields}
    rows = [
        [
            field.get_db_prep_save(dataset.get(field.attname, defaults.get(field.attname)), connection)
            if adapt
            else dataset.get(field.attname, defaults.get(field.attname))
            for field, adapt in zip(fields, adapted, strict=True)
        ]
        for dataset in datasets
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: several times faster than INSERTs for a national pass.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


@transaction.atomic
def store(
    source: HarvestSource,
    items: list[HarvestedItem],
    *,
    index: matching.ReferentielIndex | None = None,
    archive: bool = True,
) -> StoreStats:
    """Upsert publishers and datasets of one fully read source; archive what vanished (unless
    ``archive`` is False: a run that may not have seen everything)."""
    now = timezone.now()
    stats = StoreStats()
    index = index or matching.ReferentielIndex()
    perimeter = index.perimeter(source.owner_id)
    owner_area = index.owner_area(source.owner_id)

    refs = {item.publisher.remote_id: item.publisher for item in items if item.publisher}
    existing_publishers = {p.remote_id: p for p in Publisher.objects.filter(source=source)}
    new_publishers: list[Publisher] = []
    changed_publishers: list[Publisher] = []
    for remote_id, ref in refs.items():
        publisher = existing_publishers.get(remote_id)
        if publisher is None:
            publisher = Publisher(
                source=source,
                remote_id=remote_id[:300],
                name=ref.name[:500] or remote_id[:500],
                business_number=ref.business_number[:20],
                extras=ref.extras,
                first_seen=now,
                last_seen=now,
            )
            matching.apply(publisher, index, perimeter, owner_area)
            new_publishers.append(publisher)
            continue
        described = (ref.name[:500] or publisher.name, ref.business_number[:20], ref.extras)
        redescribed = described != (publisher.name, publisher.business_number, publisher.extras)
        publisher.name, publisher.business_number, publisher.extras = described
        # bulk_update is costly per row: only publishers whose description or match changed.
        if matching.apply(publisher, index, perimeter, owner_area) or redescribed:
            changed_publishers.append(publisher)
    Publisher.objects.bulk_create(new_publishers, batch_size=BATCH)
    stats.publishers_new = len(new_publishers)
    Publisher.objects.bulk_update(
        changed_publishers,
        [
            "name",
            "business_number",
            "extras",
            "match_status",
            "match_method",
            "territory",
            "candidate",
            "match_note",
        ],
        batch_size=BATCH,
    )
    seen_publishers = [existing_publishers[r].pk for r in refs if r in existing_publishers]
    for start in range(0, len(seen_publishers), CHUNK):
        Publisher.objects.filter(pk__in=seen_publishers[start : start + CHUNK]).update(last_seen=now)
    publisher_by_remote = {**existing_publishers, **{p.remote_id: p for p in new_publishers}}

    existing: dict[str, tuple[int, str, datetime | None]] = {
        remote_id: (pk, content_hash, archived_at)
        for remote_id, pk, content_hash, archived_at in HarvestedDataset.objects.filter(source=source)
        .values_list("remote_id", "id", "content_hash", "archived_at")
        .iterator(chunk_size=5000)
    }
    to_create: list[dict[str, Any]] = []
    to_update: list[HarvestedDataset] = []
    for item in items:
        publisher = publisher_by_remote.get(item.publisher.remote_id) if item.publisher else None
        # The hash covers what the source said (and which version of our derivations reads it): an
        # unchanged dataset costs one hash, not a folding, URL checks and SCDL detection.
        content_hash = _hash(
            [
                DERIVATION_VERSION,
                publisher.pk if publisher else None,
                item.publisher.name if item.publisher else "",
                item.url,
                item.title,
                item.description,
                item.license,
                item.created,
                item.modified,
                item.tags,
                item.resources,
                item.declared_schemas,
                item.origin_key,
                item.own_key,
            ]
        )
        known = existing.get(item.remote_id)
        # Unchanged and still published: nothing to write (most items on most runs).
        if known is not None and known[1] == content_hash and known[2] is None:
            continue
        values = {
            "url": safe_url(item.url),
            "title": item.title[:500],
            "description": item.description,
            "license": item.license[:200],
            "remote_created": item.created,
            "remote_modified": item.modified,
            "tags": item.tags,
            "resources": [{**r, "url": safe_url(r.get("url"))} for r in item.resources],
            "schemas": detect_schemas(item),
            "dedup_key": (item.origin_key or item.own_key)[:300],
            "title_key": title_key(item.title, item.publisher.name if item.publisher else "")[:300],
        }
        row = {
            "source_id": source.pk,
            "remote_id": item.remote_id[:300],
            "publisher_id": publisher.pk if publisher else None,
            "content_hash": content_hash,
            "last_seen": now,
            **values,
        }
        if known is None:
            to_create.append({**row, "first_seen": now})
        else:
            to_update.append(HarvestedDataset(pk=known[0], archived_at=None, archived_reason="", **row))
    insert_datasets(to_create)
    HarvestedDataset.objects.bulk_update(to_update, DATASET_FIELDS, batch_size=BATCH)
    stats.new = len(to_create)
    stats.updated = len(to_update)

    seen = {item.remote_id for item in items}
    vanished = (
        [
            pk
            for remote_id, (pk, _h, archived_at) in existing.items()
            if archived_at is None and remote_id not in seen
        ]
        if archive
        else []
    )
    for start in range(0, len(vanished), CHUNK):
        HarvestedDataset.objects.filter(pk__in=vanished[start : start + CHUNK]).update(
            archived_at=now, archived_reason=ARCHIVED_VANISHED
        )
    stats.archived = len(vanished)
    if archive:
        HarvestedDataset.objects.filter(source=source, archived_at__isnull=True).update(last_seen=now)
    else:
        # Only what this run saw was seen: the others keep the last date they were.
        seen_pks = [known[0] for remote_id, known in existing.items() if remote_id in seen]
        for start in range(0, len(seen_pks), CHUNK):
            HarvestedDataset.objects.filter(pk__in=seen_pks[start : start + CHUNK]).update(last_seen=now)
    return stats


def _canonical_order(row: tuple[int, int, str]) -> tuple[int, int]:
    # The original portal wins over an aggregator's harvested copy (data.gouv.fr); then the oldest record.
    pk, _source, kind = row
    harvester = REGISTRY.get(kind)
    return (1 if harvester is not None and harvester.aggregator else 0, pk)


def announce_finished() -> None:
    """Announce that harvested data changed: the listeners (the observatory's pipeline) take it from there."""
    harvest_finished.send(sender=HarvestRun)


def _aggregator_kinds() -> list[str]:
    return [kind for kind, harvester in REGISTRY.items() if harvester.aggregator]


def _match_pages(rows: list[tuple[Any, ...]], wanted: dict[int, int | None]) -> None:
    """Copies known only by their original's page (``page:`` keys) point to the original whose
    landing page it is. The originals' URLs are read only when such a copy is left unmatched."""
    aggregators = set(_aggregator_kinds())
    copies = {
        pk: key
        for pk, _source, kind, key, _title, _dup in rows
        if key.startswith("page:") and kind in aggregators and wanted[pk] is None
    }
    if not copies:
        return
    originals: dict[str, int] = {}
    for pk, url in (
        HarvestedDataset.objects.current()
        .exclude(source__kind__in=aggregators)
        .exclude(url="")
        .order_by("pk")
        .values_list("id", "url")
        .iterator(chunk_size=10000)
    ):
        originals.setdefault(page_key(url), pk)
    for pk, key in copies.items():
        original = originals.get(key)
        if original is not None:
            wanted[pk] = wanted.get(original) or original


def deduplicate() -> int:
    """Point every copy of a dataset to one canonical record; returns how many rows changed.

    Same identity first (data.gouv.fr's harvest block, portal ids, DCAT URIs), then a copy's original
    page against the originals' landing pages, then same normalised title and publisher across
    different sources.
    """
    rows = list(
        HarvestedDataset.objects.current()
        .values_list("id", "source_id", "source__kind", "dedup_key", "title_key", "duplicate_of_id")
        .iterator(chunk_size=10000)
    )
    wanted: dict[int, int | None] = {row[0]: None for row in rows}
    by_key: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, source_id, kind, key, _title, _dup in rows:
        if key:
            by_key[key].append((pk, source_id, kind))
    for group in by_key.values():
        if len(group) > 1:
            group.sort(key=_canonical_order)
            for pk, _source, _kind in group[1:]:
                wanted[pk] = group[0][0]
    _match_pages(rows, wanted)
    by_title: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, source_id, kind, _key, title, _dup in rows:
        if title and wanted[pk] is None:
            by_title[title].append((pk, source_id, kind))
    for group in by_title.values():
        if len({source_id for _pk, source_id, _kind in group}) < 2:
            continue
        group.sort(key=_canonical_order)
        canonical_pk, canonical_source, _kind = group[0]
        for pk, source_id, _k in group[1:]:
            # Same title within one portal is a different dataset (one per year, per service…).
            if source_id != canonical_source:
                wanted[pk] = canonical_pk
    changed = [
        HarvestedDataset(pk=pk, duplicate_of_id=wanted[pk])
        for pk, _s, _k, _key, _t, dup in rows
        if dup != wanted[pk]
    ]
    HarvestedDataset.objects.bulk_update(changed, ["duplicate_of"], batch_size=CHUNK // 2)
    return len(changed)
