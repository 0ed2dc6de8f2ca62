"""Two demonstration reuses around the programme's demo ATD (``odl load_demo``), labelled as such.

Idempotent: looked up by title; nothing happens when the demo ATD is absent.
"""

from __future__ import annotations

from collections.abc import Callable

from odl.animations.models import Event
from odl.atds.models import Atd
from odl.programme.demo import DEMO_SLUG
from odl.reuses.models import Origin, Reuse, ReuseKind
from odl.territories.models import Territory

REUSES = [
    (
        "[Démo] Carte des points d'apport volontaire",
        ReuseKind.CARTE,
        "environment_and_energy",
        "https://exemple.org/apport-volontaire",
    ),
    (
        "[Démo] Tableau de bord des bus",
        ReuseKind.VISUALISATION,
        "transport_and_mobility",
        "https://exemple.org/bus",
    ),
]


def load(say: Callable[[str], None]) -> None:
    atd = Atd.objects.filter(slug=DEMO_SLUG).first()
    if atd is None:
        return
    rennes = Territory.objects.filter(kind="commune", code="35238").first()
    event = Event.objects.filter(atd=atd, title="[Démo] Hackathon des mobilités").first()
    created = 0
    for title, kind, theme, url in REUSES:
        if Reuse.objects.filter(title=title).exists():
            continue
        reuse = Reuse.objects.create(
            title=title,
            kind=kind,
            theme=theme,
            url=url,
            author="Équipe de démonstration",
            description="Réutilisation de démonstration créée par odl load_demo.",
            atd=atd,
            origin=Origin.MANUAL,
            event=event if kind == ReuseKind.VISUALISATION else None,
            demo=True,
        )
        if rennes is not None:
            reuse.territories.add(rennes)
        created += 1
    if created:
        say(f"Réutilisations de démonstration : {created} créée(s).")
