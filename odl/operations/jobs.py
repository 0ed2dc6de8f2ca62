"""The platform's jobs in one list: harvest runs, validation jobs, data.gouv.fr pushes and the animation
follow-ups that are due, each shown with one shared vocabulary of states.

Each kind is a ``Door``: how to select its rows in a given state (a filter on its own status field) and
how to show one. ``Jobs`` merges the doors' querysets newest first without loading them: a page asks
each door for its first ``offset + size`` rows (one query each) and its count (one more), so a page
costs the same number of queries whatever the number of rows, and filtering by kind asks one door only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from odl.animations.models import FollowUp
from odl.datagouv.models import Push, PushStatus
from odl.harvest.models import HarvestRun
from odl.schemas.models import JobStatus, ValidationJob

# The shared states, in the order of the filter.
STATES = {
    "en_cours": "en cours",
    "en_attente": "en attente",
    "echec": "échec",
    "partiel": "réussi avec des erreurs",
    "termine": "terminé",
}


@dataclass
class Job:
    kind: str
    kind_label: str
    state: str
    title: str
    subject: str
    at: dt.datetime
    duration: float | None
    message: str
    url: str = ""
    next_attempt_at: dt.datetime | None = None

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def duration_label(self) -> str:
        return duration_label(self.duration)


def duration_label(seconds: float | None) -> str:
    """« 42 s », « 3 min 05 s », « 2 h 07 min »; empty when the job has not ended."""
    if seconds is None:
        return ""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass
class Door:
    kind: str
    label: str
    # Our state -> the model's status values (absent: the kind never is in that state).
    states: Mapping[str, Sequence[str]]
    date_field: str
    base: Callable[[], QuerySet[Any]]
    show: Callable[[Any], Job]

    def query(self, state: str) -> QuerySet[Any]:
        rows = self.base()
        if state:
            rows = rows.filter(**{f"{self.status_field}__in": self.states.get(state, ())})
        return rows.order_by(f"-{self.date_field}", "-pk")

    status_field: str = "status"


def _run(run: HarvestRun) -> Job:
    return Job(
        kind="moissonnage",
        kind_label="Moissonnage",
        state=HARVEST_STATES[run.status],
        title=f"Passage n° {run.pk}",
        subject=run.source.name,
        at=run.started_at,
        duration=run.duration,
        message=run.message,
        url=reverse("harvest:run", args=[run.pk]),
    )


HARVEST = {"en_cours": ["running"], "echec": ["failed"], "partiel": ["partial"], "termine": ["success"]}
HARVEST_STATES = {status: state for state, statuses in HARVEST.items() for status in statuses}


def _validation(job: ValidationJob) -> Job:
    return Job(
        kind="validation",
        kind_label="Validation",
        state=VALIDATION_STATES[job.status],
        title=job.file_name,
        subject=job.schema_spec,
        at=job.created_at,
        # Its last change is its end once finished; a job has no separate start time.
        duration=(job.updated_at - job.created_at).total_seconds() if job.finished else None,
        message=job.message,
        url=reverse("schemas:batch", args=[job.batch]),
    )


VALIDATION = {
    "en_attente": [JobStatus.PENDING],
    "en_cours": [JobStatus.RUNNING],
    "echec": [JobStatus.FAILED],
    "termine": [JobStatus.DONE],
}
VALIDATION_STATES = {str(status): state for state, statuses in VALIDATION.items() for status in statuses}


def _push(push: Push) -> Job:
    duration = None
    if push.started_at and push.finished_at:
        duration = (push.finished_at - push.started_at).total_seconds()
    message = push.error
    if push.dry_run:
        message = message or "simulation : rien n'a été envoyé"
    return Job(
        kind="datagouv",
        kind_label="Envoi à data.gouv.fr",
        state=PUSH_STATES[push.status],
        title=push.title,
        subject=push.link.territory.nom,
        at=push.created_at,
        duration=duration,
        message=message,
        next_attempt_at=push.next_attempt_at if push.retryable else None,
    )


PUSH = {
    "en_attente": [PushStatus.PENDING],
    "en_cours": [PushStatus.RUNNING],
    "echec": [PushStatus.FAILED],
    "termine": [PushStatus.DONE, PushStatus.DRY_RUN],
}
PUSH_STATES = {str(status): state for state, statuses in PUSH.items() for status in statuses}


def _followups() -> QuerySet[FollowUp]:
    # Only the follow-ups already due: the future ones are not work yet.
    return FollowUp.objects.filter(due_on__lte=timezone.localdate()).select_related("event__atd")


def _followup(followup: FollowUp) -> Job:
    if followup.answered_at:
        state, message = "termine", f"renseigné le {timezone.localtime(followup.answered_at):%d/%m/%Y}"
    elif followup.reminded_at:
        state = "en_attente"
        message = (
            f"rappel envoyé le {timezone.localtime(followup.reminded_at):%d/%m/%Y}, pas encore renseigné"
        )
    else:
        state, message = "en_attente", "rappel à envoyer (odl animations_followups)"
    due = dt.datetime.combine(followup.due_on, dt.time(), tzinfo=timezone.get_current_timezone())
    return Job(
        kind="suivi",
        kind_label="Suivi d'animation",
        state=state,
        title=f"Suivi à {followup.months} mois",
        subject=followup.event.title,
        at=due,
        duration=None,
        message=message,
        url=followup.get_absolute_url(),
    )


class _FollowUpDoor(Door):
    """Its state is whether it was answered, not a status field."""

    def query(self, state: str) -> QuerySet[Any]:
        rows = self.base()
        if state == "termine":
            rows = rows.filter(answered_at__isnull=False)
        elif state == "en_attente":
            rows = rows.filter(answered_at__isnull=True)
        elif state:
            rows = rows.none()
        return rows.order_by(f"-{self.date_field}", "-pk")


DOORS: dict[str, Door] = {
    door.kind: door
    for door in (
        Door(
            "moissonnage",
            "Moissonnages",
            HARVEST,
            "started_at",
            lambda: HarvestRun.objects.select_related("source"),
            _run,
        ),
        Door(
            "validation",
            "Validations",
            VALIDATION,
            "created_at",
            lambda: ValidationJob.objects.all(),
            _validation,
        ),
        Door(
            "datagouv",
            "Envois à data.gouv.fr",
            PUSH,
            "created_at",
            lambda: Push.objects.select_related("link__territory"),
            _push,
        ),
        _FollowUpDoor("suivi", "Suivis d'animation", {}, "due_on", _followups, _followup),
    )
}


class Jobs:
    """The jobs of the chosen kinds and state, newest first, as a sequence Django's Paginator can cut."""

    def __init__(self, kind: str = "", state: str = "") -> None:
        self.doors = [door for key, door in DOORS.items() if kind in ("", key)]
        self.state = state
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(door.query(self.state).count() for door in self.doors)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Job]:
        if not isinstance(index, slice):
            raise TypeError("Jobs is read by slices")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows: list[Job] = []
        for door in self.doors:
            rows.extend(door.show(row) for row in door.query(self.state)[:stop])
        rows.sort(key=lambda job: job.at, reverse=True)
        return rows[start:stop]
