"""Planning an event from a fiche, and measuring what lasts after it.

- :func:`due_date` and :func:`generate_checklist`: the retroplanning of the fiche becomes the event's
  checklist, each task dated relative to the event; :func:`reschedule` follows the event when it moves;
- :func:`schedule_followups`: the 1, 3 and 6-month follow-ups; :func:`send_due_reminders` e-mails the
  organiser once per follow-up, whoever runs it and however often (``odl animations_followups``);
- :func:`survival` gives the survival rate of projects (its docstring defines it), per format or ATD.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from odl.animations.models import (
    ALIVE,
    MILESTONES,
    PROJECT_KINDS,
    Event,
    FollowUp,
    Output,
    OutputKind,
    ProjectFate,
    ProjectStatus,
    Task,
)
from odl.core.dates import add_months

# --- Retroplanning -----------------------------------------------------------------------------------


def due_date(starts_on: datetime.date, ends_on: datetime.date, offset: int) -> datetime.date:
    """A task's due date: ``offset`` ≤ 0 counts from the first day (-7 is a week before it, 0 the day
    itself); ``offset`` > 0 counts from the last day (7 is a week after the event is over)."""
    anchor = starts_on if offset <= 0 else ends_on
    return anchor + datetime.timedelta(days=offset)


def generate_checklist(event: Event) -> list[Task]:
    """The fiche's retroplanning as the event's tasks; an event that already has tasks keeps them."""
    if event.tasks.exists():
        return list(event.tasks.all())
    tasks = [
        Task(
            event=event,
            title=str(item["task"])[:300],
            offset_days=int(item["offset"]),
            due_on=due_date(event.starts_on, event.ends_on, int(item["offset"])),
            owner=event.organiser,
        )
        for item in event.format.retroplanning
    ]
    return Task.objects.bulk_create(tasks)


def reschedule(event: Event) -> int:
    """The event moved: each task keeps its offset and takes its new due date. Returns how many moved."""
    moved = []
    for task in event.tasks.all():
        due = due_date(event.starts_on, event.ends_on, task.offset_days)
        if task.due_on != due:
            task.due_on = due
            moved.append(task)
    Task.objects.bulk_update(moved, ["due_on"])
    return len(moved)


def tick(event: Event, done_ids: set[int], owners: dict[int, int | None], allowed_owners: set[int]) -> int:
    """Store the checklist form: the ticked tasks are done, the others not; owners outside the ATD's
    team are ignored. Returns how many tasks changed."""
    now = timezone.now()
    changed = []
    for task in event.tasks.all():
        before = (task.done, task.owner_id)
        task.done = task.pk in done_ids
        if task.done and not before[0]:
            task.done_at = now
        if not task.done:
            task.done_at = None
        if task.pk in owners:
            owner = owners[task.pk]
            task.owner_id = owner if owner is None or owner in allowed_owners else task.owner_id
        if (task.done, task.owner_id) != before:
            changed.append(task)
    Task.objects.bulk_update(changed, ["done", "done_at", "owner"])
    return len(changed)


# --- Follow-ups ----------------------------------------------------------------------------------------


def schedule_followups(event: Event) -> list[FollowUp]:
    """The three follow-ups of an event (1, 3, 6 months after its last day); moving the event moves
    the unanswered ones. Safe to call again: one follow-up per milestone, ever."""
    existing = {f.months: f for f in event.followups.all()}
    result = []
    for months in MILESTONES:
        due = add_months(event.ends_on, months)
        followup = existing.get(months)
        if followup is None:
            followup = FollowUp.objects.create(event=event, months=months, due_on=due)
        elif followup.answered_at is None and followup.due_on != due:
            followup.due_on = due
            followup.save(update_fields=["due_on"])
        result.append(followup)
    return result


def due_followups(events: QuerySet[Event], today: datetime.date | None = None) -> QuerySet[FollowUp]:
    """The follow-ups to answer now: due, not answered, of these events (the organiser's to-do)."""
    today = today or timezone.localdate()
    return (
        FollowUp.objects.filter(event__in=events, due_on__lte=today, answered_at__isnull=True)
        .select_related("event", "event__atd", "event__format")
        .order_by("due_on", "months")
    )


def _recipients(event: Event) -> list[str]:
    if event.organiser is not None and event.organiser.email:
        return [event.organiser.email]
    return [event.atd.contact_email] if event.atd.contact_email else []


@dataclass
class ReminderReport:
    sent: int = 0
    without_address: int = 0


def send_due_reminders(today: datetime.date | None = None) -> ReminderReport:
    """E-mail the organiser of each due, unanswered follow-up that was never reminded.

    Each follow-up is first claimed by an UPDATE that only matches while ``reminded_at`` is empty: two
    runs at once, or a run repeated, never send the same reminder twice. A follow-up whose event has no
    address is claimed too (and counted), so that it is not retried every day.
    """
    today = today or timezone.localdate()
    report = ReminderReport()
    site = str(settings.SITE_URL).rstrip("/")
    candidates = FollowUp.objects.filter(
        due_on__lte=today, answered_at__isnull=True, reminded_at__isnull=True
    ).select_related("event", "event__atd", "event__organiser")
    for followup in candidates:
        with transaction.atomic():
            claimed = FollowUp.objects.filter(pk=followup.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            event = followup.event
            to = _recipients(event)
            if not to:
                report.without_address += 1
                continue
            send_mail(
                subject=f"Suivi à {followup.months} mois : que sont devenus les projets de « {event.title} » ?",
                message=(
                    f"Bonjour,\n\n« {event.title} » ({event.format}) s'est terminé le "
                    f"{event.ends_on:%d/%m/%Y}. Pour mesurer ce qui dure, indiquez pour chaque projet "
                    f"s'il est vivant, publié ou abandonné :\n{site}{followup.get_absolute_url()}\n\n"
                    "Deux minutes suffisent. Merci !\nOpenDataLocale"
                ),
                from_email=None,
                recipient_list=to,
            )
            report.sent += 1
    return report


def answer_followup(followup: FollowUp, fates: dict[int, str], by: Any) -> int:
    """Store the fate of each project of the event; ids of other events or unknown fates are ignored."""
    projects = set(followup.event.outputs.filter(kind__in=PROJECT_KINDS).values_list("pk", flat=True))
    stored = 0
    with transaction.atomic():
        for output_id, fate in fates.items():
            if output_id in projects and fate in ProjectFate.values:
                ProjectStatus.objects.update_or_create(
                    followup=followup, output_id=output_id, defaults={"fate": fate}
                )
                stored += 1
        followup.answered_at = timezone.now()
        followup.answered_by = by if getattr(by, "is_authenticated", False) else None
        followup.save(update_fields=["answered_at", "answered_by"])
    return stored


# --- Survival rate -------------------------------------------------------------------------------------

SURVIVAL_METHOD = (
    "Taux de survie : parmi les projets (projets, prototypes, réutilisations) dont au moins un suivi "
    "(1, 3 ou 6 mois) a été renseigné, la part de ceux qui sont « vivant » ou « publié » au dernier "
    "suivi renseigné. Les projets jamais suivis ne comptent pas."
)


@dataclass
class Survival:
    label: str
    followed: int = 0
    alive: int = 0
    projects: int = 0
    datasets_opened: int = 0

    @property
    def rate(self) -> int | None:
        """Percentage, rounded; None when no project has been followed yet (not 0: nothing is known)."""
        return round(100 * self.alive / self.followed) if self.followed else None


def latest_fates(outputs: Iterable[int]) -> dict[int, str]:
    """For each project id, its fate at its latest answered follow-up (highest milestone answered)."""
    ids = list(outputs)
    latest: dict[int, tuple[int, str]] = {}
    rows = ProjectStatus.objects.filter(output_id__in=ids, followup__answered_at__isnull=False).values_list(
        "output_id", "followup__months", "fate"
    )
    for output_id, months, fate in rows:
        if output_id not in latest or months > latest[output_id][0]:
            latest[output_id] = (months, fate)
    return {output_id: fate for output_id, (_, fate) in latest.items()}


def survival(events: QuerySet[Event], by: str) -> list[Survival]:
    """The survival rate of projects, grouped ``by`` "format" or "atd", with the datasets opened.

    Definition: among the projects (outputs of kind projet, prototype or réutilisation) of these events
    that have at least one answered follow-up, the share whose fate at their latest answered follow-up
    (the highest of 1, 3, 6 months that was answered for that project) is « vivant » or « publié ». A
    project never followed is left out of the rate (but counted in ``projects``); a group with no
    followed project has no rate (``None``), never 0 %. Datasets opened are the outputs of kind
    « jeu de données ouvert ». Three queries whatever the number of events.
    """
    if by not in ("format", "atd"):
        raise ValueError(f"regroupement inconnu : {by}")
    key = "event__format__name" if by == "format" else "event__atd__name"
    outputs = list(Output.objects.filter(event__in=events).values_list("pk", "kind", key))
    fates = latest_fates(pk for pk, kind, _ in outputs if kind in PROJECT_KINDS)
    groups: dict[str, Survival] = defaultdict(lambda: Survival(label=""))
    for pk, kind, label in outputs:
        group = groups[label]
        group.label = label
        if kind == OutputKind.JEU_OUVERT:
            group.datasets_opened += 1
        elif kind in PROJECT_KINDS:
            group.projects += 1
            if pk in fates:
                group.followed += 1
                group.alive += int(fates[pk] in ALIVE)
    return sorted(groups.values(), key=lambda g: g.label)


def overall(rows: Iterable[Survival]) -> Survival:
    total = Survival(label="Ensemble")
    for row in rows:
        total.followed += row.followed
        total.alive += row.alive
        total.projects += row.projects
        total.datasets_opened += row.datasets_opened
    return total
