"""Template tags the programme lends to other apps' pages (the collectivité page, the ciblage)."""

from __future__ import annotations

from typing import Any

from django import template

from odl.accounts.roles import can_follow
from odl.atds.models import Atd
from odl.core import hooks
from odl.observatory import geo
from odl.programme.models import Etd
from odl.territories.models import Kind, Territory

register = template.Library()


@register.inclusion_tag("programme/pipeline/_accompaniment.html", takes_context=True)
def accompaniment(context: template.Context, territory: Territory) -> dict[str, Any]:
    """The « Accompagnement » block: public facts (ATD, step, dates); notes for that ATD's staff."""
    user = context.get("user")
    etds = list(Etd.objects.filter(territory=territory).select_related("atd").prefetch_related("history__by"))
    entries = [{"etd": etd, "staff": can_follow(user, etd.atd), "history": etd.history.all()} for etd in etds]
    return {"entries": entries, "territory": territory, "user": user}


@register.simple_tag(takes_context=True)
def following_atds(context: template.Context) -> list[Atd]:
    """The ATDs the signed-in user may add collectivités to (its memberships)."""
    user = context.get("user")
    return list(Atd.objects.of_user(user)) if user is not None else []


@register.simple_tag
def atd_network_map(atds: list[Atd]) -> dict[str, Any]:
    """The ATD network page's map: one tile of the observatory's grid per département, with the ATDs
    whose perimeter reaches it (itself, its région or one of its EPCI). The grid belongs to the
    observatory, above the ATDs' app: this tag is where the two meet."""
    regions = dict(
        Territory.objects.filter(kind=Kind.DEPARTEMENT, active=True).values_list("code", "region_code")
    )
    holders: dict[str, set[str]] = {}
    for atd in atds:
        for territory in atd.areas.all():
            if territory.kind == Kind.REGION:
                codes = [d for d, r in regions.items() if r == territory.code]
            elif territory.kind == Kind.DEPARTEMENT:
                codes = [territory.code]
            else:
                codes = [territory.departement_code]
            for code in codes:
                holders.setdefault(code, set()).add(atd.name)
    cells = geo.grid_cells("departement")
    return {"cells": [{**cell, "atds": sorted(holders.get(cell["code"], ()))} for cell in cells]}


@register.simple_tag
def atd_sections(atd: Atd) -> list[tuple[str, str]]:
    """The ATD sub-menu's links from the apps above the programme (questionnaire, animations…), each
    given by an ``atd_sections`` method of its AppConfig: the programme never imports them."""
    return [tuple(link) for link in hooks.collect("atd_sections", atd)]
