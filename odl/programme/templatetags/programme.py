"""Template tags the programme lends to other apps' pages (the collectivité page, the ciblage)."""

from __future__ import annotations

from typing import Any

from django import template

from odl.accounts.roles import can_follow
from odl.atds.models import Atd
from odl.programme.models import Etd
from odl.territories.models import Territory

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
