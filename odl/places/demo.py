"""A few demonstration places around Rennes (``odl load_demo``), labelled as such. Idempotent."""

from __future__ import annotations

from collections.abc import Callable

from odl.atds.models import Atd
from odl.places.models import Origin, Place, PlaceKind
from odl.territories.models import Territory

DEMO_ATD = "demo-atd-ille-et-vilaine"  # the programme's demo ATD (odl/programme/demo.py), read by slug
PLACES = [
    ("[Démo] Infolab de la médiathèque", PlaceKind.INFOLAB, 48.1106, -1.6779),
    ("[Démo] Tiers-lieu numérique du quartier", PlaceKind.TIERS_LIEU, 48.1201, -1.6902),
    ("[Démo] Espace de médiation numérique", PlaceKind.MEDIATION, 48.1045, -1.6650),
]


def load(say: Callable[[str], None]) -> None:
    rennes = Territory.objects.filter(kind="commune", code="35238").first()
    if rennes is None:
        return
    atd = Atd.objects.filter(slug=DEMO_ATD).first()
    created = 0
    for name, kind, lat, lon in PLACES:
        if Place.objects.filter(name=name).exists():
            continue
        Place.objects.create(
            name=name, kind=kind, commune=rennes, latitude=lat, longitude=lon, postcode="35000",
            origin=Origin.MANUAL, atd=atd, demo=True, description="Lieu de démonstration créé par odl load_demo.",
        )  # fmt: skip
        created += 1
    if created:
        say(f"Lieux de démonstration : {created} créé(s).")
