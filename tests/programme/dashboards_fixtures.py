"""A followed ATD with figures to count: ETDs at known steps, commitments, meetings, two snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from odl.atds.models import Atd
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.programme.models import (
    Attendance,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Convention,
    ConventionStatus,
    Etd,
    EtdStep,
    Meeting,
)
from odl.territories.models import Territory


@dataclass
class Followed:
    atd: Atd
    etds: dict[str, Etd]
    snapshot: Snapshot


def followed_atd(user: Any) -> Followed:
    """Alice's ATD (Ille-et-Vilaine): Rennes published, Bruz contacted, Pacé signed, Betton abandoned."""
    atd = Atd.objects.get(memberships__user=user)
    today = timezone.localdate()
    etds: dict[str, Etd] = {}
    plan = {
        "35238": [EtdStep.CONTACTEE, EtdStep.CONVENTION_SIGNEE, EtdStep.PUBLIEE],
        "35047": [EtdStep.CONTACTEE],
        "35206": [EtdStep.CONTACTEE, EtdStep.CONVENTION_SIGNEE],
        "35024": [EtdStep.ABANDON],
    }
    for code, steps in plan.items():
        territory = Territory.objects.filter(kind="commune", code=code).order_by("pk").first()
        assert territory is not None
        etd = Etd.objects.create(atd=atd, territory=territory)
        for step in steps:
            etd.move_to(step, by=user, note="test", reason="plus d'agent" if step == EtdStep.ABANDON else "")
        etds[code] = etd
    rennes, bruz, pace = etds["35238"], etds["35047"], etds["35206"]
    Convention.objects.create(etd=rennes, status=ConventionStatus.SIGNEE, signed_at=today)
    Convention.objects.create(etd=pace, status=ConventionStatus.SIGNEE, signed_at=today)
    Convention.objects.create(etd=bruz)
    Commitment.objects.create(
        etd=rennes,
        kind=CommitmentKind.PUBLISH,
        schema_id="scdl/subventions",
        status=CommitmentStatus.TENU,
        met_at=today,
        due_date=today + dt.timedelta(days=10),
    )
    Commitment.objects.create(
        etd=bruz,
        kind=CommitmentKind.PUBLISH,
        schema_id="scdl/deliberations",
        due_date=today - dt.timedelta(days=3),
    )
    Commitment.objects.create(
        etd=pace, kind=CommitmentKind.EXPERIENCE, due_date=today + dt.timedelta(days=30)
    )
    now = timezone.now()
    past = Meeting.objects.create(atd=atd, title="Point de rentrée", starts_at=now - dt.timedelta(days=1))
    Attendance.objects.create(meeting=past, etd=rennes, status="present")
    Attendance.objects.create(meeting=past, etd=bruz, status="present")
    Attendance.objects.create(meeting=past, etd=pace, status="absent")
    Meeting.objects.create(atd=atd, title="Point mensuel de janvier", starts_at=now + dt.timedelta(days=20))
    older = Snapshot.objects.create(date=today - dt.timedelta(days=400), label="Édition test", origin="odf")
    snapshot = Snapshot.objects.create(
        date=today - dt.timedelta(days=2), label="Moissonnage test", origin="harvest", method="Moissonnage."
    )
    rennes_t = rennes.territory
    SnapshotEntry.objects.create(snapshot=older, territory=rennes_t, siren=rennes_t.siren, nom=rennes_t.nom)
    SnapshotEntry.objects.create(
        snapshot=snapshot,
        territory=rennes_t,
        siren=rennes_t.siren,
        nom=rennes_t.nom,
        datasets_count=7,
        schemas=["scdl/subventions"],
    )
    dep = Territory.objects.get(kind="departement", code="35")
    SnapshotEntry.objects.create(
        snapshot=snapshot, territory=dep, siren=dep.siren or "000000000", nom=dep.nom
    )
    return Followed(atd, etds, snapshot)
