"""A few demonstration events for the programme's demo ATD (``odl load_demo``), labelled as such.

Idempotent: an event is looked up by its title within the demo ATD and created once; dates are
relative to the first run. Nothing happens when the programme's demo ATD is absent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from odl.animations import planning
from odl.animations.models import Event, FollowUp, Format, Output, OutputKind, ProjectFate
from odl.atds.models import Atd, AtdMembership, AtdRole
from odl.programme.demo import DEMO_SLUG

# (format slug, title, days from today to the first day, length in days, place)
EVENTS = [
    ("hackathon", "[Démo] Hackathon des mobilités", -120, 2, "Médiathèque, Rennes"),
    ("cartopartie", "[Démo] Cartopartie des défibrillateurs", 20, 1, "Mairie, Rennes"),
    ("atelier-manipulation-donnees", "[Démo] Atelier « CSV de qualité »", 35, 1, "Salle du conseil"),
]


def load(say: Callable[[str], None]) -> None:
    atd = Atd.objects.filter(slug=DEMO_SLUG).first()
    if atd is None:
        return
    organiser = AtdMembership.objects.filter(atd=atd, role=AtdRole.ADMIN).select_related("user").first()
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        for slug, title, offset, days, place in EVENTS:
            fmt = Format.objects.filter(slug=slug).first()
            if fmt is None or Event.objects.filter(atd=atd, title=title).exists():
                continue
            starts = today + dt.timedelta(days=offset)
            event = Event.objects.create(
                atd=atd,
                format=fmt,
                title=title,
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=days - 1),
                place=place,
                demo=True,
                organiser=organiser.user if organiser else None,
                description="Événement de démonstration créé par odl load_demo.",
                # Around Rennes, so that the demo cartopartie refuses a point far away.
                south=48.08,
                west=-1.75,
                north=48.15,
                east=-1.60,
            )
            planning.generate_checklist(event)
            followups = planning.schedule_followups(event)
            if offset < 0:
                _past_outcome(event, followups)
            created += 1
    if created:
        say(f"Animations de démonstration : {created} événement(s) créé(s).")


def _past_outcome(event: Event, followups: list[FollowUp]) -> None:
    """The past hackathon: three projects and one dataset opened; the 1-month follow-up answered."""
    event.tasks.update(done=True, done_at=timezone.now())
    projects = [
        Output.objects.create(
            event=event, kind=OutputKind.PROTOTYPE, title="[Démo] Carte des pistes cyclables"
        ),
        Output.objects.create(event=event, kind=OutputKind.PROJET, title="[Démo] Calculateur de trajets"),
        Output.objects.create(
            event=event, kind=OutputKind.REUTILISATION, title="[Démo] Tableau de bord des bus"
        ),
    ]
    Output.objects.create(event=event, kind=OutputKind.JEU_OUVERT, title="[Démo] Arrêts de bus (SCDL)")
    first = next(f for f in followups if f.months == 1)
    fates = [ProjectFate.VIVANT, ProjectFate.ABANDONNE, ProjectFate.PUBLIE]
    planning.answer_followup(first, {p.pk: fate for p, fate in zip(projects, fates, strict=True)}, None)
