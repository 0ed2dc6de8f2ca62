"""The territory page's block of places (the territory app loads it)."""

from __future__ import annotations

from typing import Any

from django import template

from odl.places.models import Place
from odl.territories.models import Kind, Territory

register = template.Library()
# The directory's and the gallery's ``territoire`` filter: « D35 », « R53 », a bare code otherwise.
PREFIXES: dict[str, str] = {Kind.DEPARTEMENT: "D", Kind.REGION: "R"}

SHOWN = 8


@register.inclusion_tag("places/_territory.html")
def territory_places(territory: Territory) -> dict[str, Any]:
    places = Place.objects.inside(territory)
    return {
        "territory": territory,
        "places": list(places.for_directory()[:SHOWN]),
        "total": places.count(),
        "filter_code": PREFIXES.get(territory.kind, "") + territory.code,
    }
