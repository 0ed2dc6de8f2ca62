"""The commitment check moves ETDs in bulk: the same history and audit trail as one move, and as many
queries for many ETDs as for a few."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from odl.accounts.templatetags.audit import trail
from odl.atds.models import Atd
from odl.programme.commitments import check_commitments
from odl.programme.models import Commitment, CommitmentStatus, Etd, EtdStep, move_all
from odl.territories.models import Territory
from tests.programme.conventions_helpers import dataset, publish

pytestmark = pytest.mark.django_db


def entries_of(etd: Etd) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(etd).filter(action=LogEntry.Action.UPDATE))


def followed(atd: Atd, *codes: str, step: str = EtdStep.CONVENTION_SIGNEE) -> list[Etd]:
    return [
        Etd.objects.select_related("territory", "atd").get(
            pk=Etd.objects.create(
                atd=atd, territory=Territory.objects.get(kind="commune", code=c), step=step
            ).pk
        )
        for c in codes
    ]


def test_a_bulk_move_writes_the_history_and_audit_trail_of_a_single_move(atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    one, other, third = followed(atd, "35238", "35047", "35001")
    with set_actor(atd_agent, remote_addr="192.0.2.7"):
        one.move_to(EtdStep.PUBLIEE, by=atd_agent, note="premier jeu")
        move_all([other, third], EtdStep.PUBLIEE, by=atd_agent, notes={other.pk: "premier jeu"})

    for etd in (one, other):
        etd.refresh_from_db()
        assert etd.step == EtdStep.PUBLIEE and etd.abandon_reason == ""
        assert (timezone.now() - etd.step_changed_at).total_seconds() < 60
        (change,) = etd.history.all()
        assert (change.step, change.by, change.note, change.at) == (
            EtdStep.PUBLIEE,
            atd_agent,
            "premier jeu",
            etd.step_changed_at,
        )
    assert third.history.get().note == ""

    (single,) = entries_of(one)
    (bulk,) = entries_of(other)
    assert single.changes == bulk.changes == {"step": ["convention_signee", "publiee"]}
    for field in ("actor", "actor_email", "remote_addr", "content_type", "action", "serialized_data"):
        assert getattr(bulk, field) == getattr(single, field), field
    assert (bulk.object_pk, bulk.object_id, bulk.object_repr) == (str(other.pk), other.pk, str(other))
    # What the ETD's page shows of it: the same lines, but for the dates.
    shown = [(e.who, e.action, e.changes) for e in trail(other)]
    assert shown == [(e.who, e.action, e.changes) for e in trail(one)]
    assert shown[0][2][0].new == "Publiée" and shown[0][0] != "la plateforme"


def test_the_check_moves_etds_to_publiee_with_their_history_and_platform_audit_entries(
    atd_agent: Any,
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    rennes, bruz = followed(atd, "35238", "35047")
    for etd in (rennes, bruz):
        publish(etd)
        dataset(etd.territory, schemas=["scdl/subventions"], remote_id=f"ds-{etd.pk}")
    assert check_commitments().published == 2
    for etd in (rennes, bruz):
        etd.refresh_from_db()
        assert etd.step == EtdStep.PUBLIEE
        change = etd.history.get()
        assert (
            change.by is None
            and change.note == f"premier jeu SCDL publié : Jeu ds-{etd.pk} (scdl/subventions)"
        )
        (entry,) = entries_of(etd)
        assert entry.actor is None and entry.changes == {"step": ["convention_signee", "publiee"]}
        assert [e.who for e in trail(etd) if e.action == "modification"] == ["la plateforme"]
    # Nothing moves twice, and nothing is logged twice (2 ETDs moved, 2 commitments met).
    assert check_commitments().published == 0
    for model in (Etd, Commitment):
        assert LogEntry.objects.get_for_model(model).filter(action=LogEntry.Action.UPDATE).count() == 2


def test_the_platforms_status_changes_are_on_the_commitments_audit_trail(atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    (rennes,) = followed(atd, "35238")
    met = publish(rennes)
    late = publish(rennes, "scdl/deliberations", due=timezone.localdate().replace(year=2020))
    found = dataset(rennes.territory, schemas=["scdl/subventions"], remote_id="ds-rennes")
    stats = check_commitments()
    assert (stats.met, stats.overdue) == (1, 1)

    (entry,) = LogEntry.objects.get_for_object(met).filter(action=LogEntry.Action.UPDATE)
    assert entry.actor is None
    assert entry.changes["status"] == ["a_faire", "tenu"]
    assert entry.changes["evidence_dataset"][1] == str(found.pk)
    (entry,) = LogEntry.objects.get_for_object(late).filter(action=LogEntry.Action.UPDATE)
    assert entry.changes["status"] == ["a_faire", "en_retard"]
    # What the commitment's page shows: the platform changed the status.
    (shown,) = [e for e in trail(late) if e.action == "modification"]
    assert shown.who == "la plateforme"
    assert any(c.new == "En retard" for c in shown.changes)
    # A second check changes nothing, so it logs nothing.
    check_commitments()
    assert LogEntry.objects.get_for_object(late).filter(action=LogEntry.Action.UPDATE).count() == 1


def test_the_check_runs_as_many_queries_for_many_etds_as_for_a_few(atd_agent: Any) -> None:
    atd = Atd.objects.create(name="ATD du test", kind="association")
    numbers = count(1)

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(numbers)
            territory = Territory.objects.create(
                kind="commune", code=f"99{i:03d}", siren=f"2990{i:05d}", nom=f"C{i}"
            )
            etd = Etd.objects.create(atd=atd, territory=territory, step=EtdStep.CONTACTEE)
            publish(etd)
            publish(etd, "scdl/deliberations", due=timezone.localdate().replace(year=2020))
            dataset(territory, schemas=["scdl/subventions"], remote_id=f"ds-{i}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            stats = check_commitments()
        assert stats.published == stats.met == stats.overdue > 0
        return len(captured)

    grow(3)
    few = queries()
    grow(9)
    many = queries()
    assert many == few, f"{few} requêtes pour 3 ETD, {many} pour 9"
    assert Commitment.objects.filter(status=CommitmentStatus.TENU).count() == 12
    assert Etd.objects.filter(atd=atd, step=EtdStep.PUBLIEE).count() == 12
