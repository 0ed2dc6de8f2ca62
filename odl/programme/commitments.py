"""ETD commitments: the observatory closes the loop, an ATD member may always have the last word.

``check_commitments`` runs after every snapshot (the observatory's ``snapshot_taken`` signal, connected
in ``ProgrammeConfig.ready``) and by hand with ``odl check_commitments``:

- a "publish X" commitment is met (« tenu ») as soon as a counted dataset published under the
  collectivité's own name declares schema X or validates against it; the detection date and the dataset
  are kept as evidence;
- an open commitment whose due date has passed turns « en retard »;
- a status an ATD member set by hand (``status_set_by="manual"``) is never overwritten;
- an ETD whose first SCDL commitment is met moves to « publiée », unless it is already further along.

Everything is read in a few bulk queries (one for every dataset of the concerned collectivités) and
written in bulk (the commitments met or overdue and the ETDs moved, each with its audit entries, the ETDs
with their step history), so the check runs the same number of queries for 5 ETDs or 5,000.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from odl.core.audit import log_bulk_updates
from odl.harvest.models import HarvestedDataset
from odl.programme.models import (
    PIPELINE,
    Commitment,
    CommitmentStatus,
    Etd,
    EtdStep,
    move_all,
)

logger = logging.getLogger(__name__)

AUTO = "auto"
MANUAL = "manual"


@dataclass
class CheckStats:
    checked: int = 0  # publish commitments looked at
    met: int = 0
    overdue: int = 0
    published: int = 0  # ETDs moved to « publiée »

    def __str__(self) -> str:
        return (
            f"{self.checked} engagement(s) de publication examiné(s), {self.met} tenu(s), "
            f"{self.overdue} passé(s) en retard, {self.published} collectivité(s) passée(s) à « publiée »"
        )


def _schemas_of(schemas: Any, validation: Any) -> set[str]:
    """The schemas a dataset declares, and those one of its resources validated against."""
    found = {s for s in schemas or [] if isinstance(s, str)}
    for entry in validation or []:
        if isinstance(entry, dict) and entry.get("valid") is True and isinstance(entry.get("schema"), str):
            found.add(entry["schema"])
    return found


def check_commitments(today: dt.date | None = None) -> CheckStats:
    today = today or timezone.localdate()
    stats = CheckStats()
    pending = Commitment.objects.publishing().open().exclude(status_set_by=MANUAL)
    rows = list(pending.values_list("pk", "etd_id", "etd__territory_id", "schema_id"))
    stats.checked = len(rows)

    # One query for every dataset of every concerned collectivité: (territory, schema) → first dataset seen.
    first_seen: dict[tuple[int, str], tuple[dt.datetime, int, str]] = {}
    # Most datasets declare no schema and were validated against none: leave them in the database
    # rather than decoding their JSON here.
    datasets = (
        HarvestedDataset.objects.counted()
        .filter(publisher__territory_id__in=pending.values("etd__territory_id"))
        .exclude(schemas=[], scdl_validation=[])
    )
    for pk, territory_id, schemas, validation, seen, title in datasets.values_list(
        "pk", "publisher__territory_id", "schemas", "scdl_validation", "first_seen", "title"
    ):
        for schema in _schemas_of(schemas, validation):
            key = (territory_id, schema)
            if key not in first_seen or seen < first_seen[key][0]:
                first_seen[key] = (seen, pk, title)

    now = timezone.now()
    met: list[tuple[int, dt.date, int]] = []
    met_by_etd: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pk, etd_id, territory_id, schema_id in rows:
        found = first_seen.get((territory_id, schema_id))
        if found is None:
            continue
        seen, dataset_id, title = found
        # Detected on the day the observatory first saw it (a back-dated run cannot be met in the future).
        met.append((pk, min(timezone.localtime(seen).date(), today), dataset_id))
        met_by_etd[etd_id].append((schema_id, title))

    with transaction.atomic():
        # The rows as they were, for the audit trail: the commitment's page lists the platform's changes
        # (« statut : à faire → tenu ») beside those of the ATD's team.
        met_before = Commitment.objects.in_bulk([pk for pk, _, _ in met]) if met else {}
        _mark_met(met, now)
        stats.met = len(met)
        late = (
            Commitment.objects.open()
            .exclude(status_set_by=MANUAL)
            .exclude(status=CommitmentStatus.EN_RETARD)
            .filter(due_date__lt=today)
        )
        late_before = list(late)
        stats.overdue = late.update(status=CommitmentStatus.EN_RETARD, status_at=now, status_by=None)
        pairs = [
            (
                met_before[pk],
                _changed(
                    met_before[pk],
                    status=CommitmentStatus.TENU.value,
                    status_set_by=AUTO,
                    status_at=now,
                    status_by_id=None,
                    met_at=on,
                    evidence_dataset_id=dataset,
                ),
            )
            for pk, on, dataset in met
            if pk in met_before
        ]
        pairs += [
            (old, _changed(old, status=CommitmentStatus.EN_RETARD.value, status_at=now, status_by_id=None))
            for old in late_before
        ]
        log_bulk_updates(pairs, AUDITED_FIELDS)
        stats.published = _move_to_published(met_by_etd, {pk for pk, _, _ in met})
    return stats


# The fields the check writes, as ``save(update_fields=…)`` would name them for the audit trail.
AUDITED_FIELDS = ("status", "status_set_by", "status_at", "status_by", "met_at", "evidence_dataset")


def _changed(before: Commitment, **values: Any) -> Commitment:
    """A copy of ``before`` with the values the bulk statement wrote (the stored row is not re-read)."""
    after = copy.copy(before)
    for name, value in values.items():
        setattr(after, name, value)
    return after


def _mark_met(met: list[tuple[int, dt.date, int]], now: dt.datetime) -> None:
    """Commitment pk, date met, evidence dataset → « tenu », in one statement run for every row.

    ``bulk_update`` writes a CASE per field and per row that Django builds as expressions: about a
    second per hundred rows, where a thousand may be met after the first harvest of a département.
    """
    if not met:
        return
    qn = connection.ops.quote_name
    column = {f.name: qn(str(f.column)) for f in Commitment._meta.concrete_fields}
    names = ["status", "status_set_by", "status_at", "status_by", "met_at", "evidence_dataset"]
    assignments = ", ".join(f"{column[name]} = %s" for name in names)
    sql = f"UPDATE {qn(Commitment._meta.db_table)} SET {assignments} WHERE {column['id']} = %s"
    at = connection.ops.adapt_datetimefield_value(now)
    params = [
        (CommitmentStatus.TENU.value, AUTO, at, None, connection.ops.adapt_datefield_value(on), dataset, pk)
        for pk, on, dataset in met
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _move_to_published(met_by_etd: dict[int, list[tuple[str, str]]], just_met: set[int]) -> int:
    """ETDs whose first SCDL commitment was met just now go to « publiée » unless further along."""
    if not met_by_etd:
        return 0
    before = set(PIPELINE[: PIPELINE.index(EtdStep.PUBLIEE)])
    already = set(
        Commitment.objects.publishing()
        .filter(etd_id__in=met_by_etd, status=CommitmentStatus.TENU)
        .exclude(pk__in=just_met)
        .values_list("etd_id", flat=True)
    )
    etds = list(
        Etd.objects.filter(pk__in=set(met_by_etd) - already, step__in=before).select_related(
            "territory", "atd"
        )
    )
    notes = {}
    for etd in etds:
        schema_id, title = met_by_etd[etd.pk][0]
        notes[etd.pk] = f"premier jeu SCDL publié : {title} ({schema_id})"
    # In bulk: moving them one by one cost five queries each (the audit trail reads the old row).
    move_all(etds, EtdStep.PUBLIEE, by=None, notes=notes)
    return len(etds)


def set_status(commitment: Commitment, status: str, *, by: Any, note: str = "") -> Commitment:
    """An ATD member decides: the status is theirs until they hand it back (``status=""``)."""
    now = timezone.now()
    if not status:
        commitment.status_set_by = AUTO
        if commitment.status == CommitmentStatus.TENU and commitment.evidence_dataset_id is None:
            commitment.status, commitment.met_at = CommitmentStatus.A_FAIRE, None
    else:
        if status not in CommitmentStatus.values:
            raise ValueError(f"statut inconnu : « {status} »")
        commitment.status = status
        commitment.status_set_by = MANUAL
        if status == CommitmentStatus.TENU:
            commitment.met_at = commitment.met_at or timezone.localdate()
        else:
            commitment.met_at = None
    commitment.status_by = by
    commitment.status_at = now
    if note.strip():
        stamp = f"{timezone.localtime(now):%d/%m/%Y} – {getattr(by, 'username', '') or 'plateforme'} : "
        commitment.note = (commitment.note + "\n" if commitment.note else "") + stamp + note.strip()
    commitment.save()
    return commitment


def on_snapshot_taken(**_signal: Any) -> None:
    # A bug here must never fail the harvest nor the snapshot that was just stored.
    try:
        stats = check_commitments()
        if stats.met or stats.overdue:
            logger.info("commitments after the snapshot: %s", stats)
    except Exception:
        logger.exception("checking the ETDs' commitments after the snapshot failed")
