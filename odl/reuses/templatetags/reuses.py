"""The territory page's block of reuses and national observatories (the territory app loads it)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from odl.reuses.models import NationalObservatory, Reuse
from odl.territories.models import Kind, Territory

register = template.Library()
# The directory's and the gallery's ``territoire`` filter: « D35 », « R53 », a bare code otherwise.
PREFIXES: dict[str, str] = {Kind.DEPARTEMENT: "D", Kind.REGION: "R"}

SHOWN = 6


def filter_code(territory: Territory) -> str:
    """The gallery's ``territoire`` filter for this territory."""
    return PREFIXES.get(territory.kind, "") + territory.code


@register.inclusion_tag("reuses/_territory.html")
def territory_reuses(territory: Territory) -> dict[str, Any]:
    reuses = Reuse.objects.current().concerning(territory)
    observatories = NationalObservatory.objects.filter(active=True).filter(
        Q(scope="") | Q(scope=territory.kind)
    )
    return {
        "territory": territory,
        "reuses": list(reuses.order_by("-created_at")[:SHOWN]),
        "reuses_total": reuses.count(),
        "observatories": list(observatories),
        "filter_code": filter_code(territory),
    }
