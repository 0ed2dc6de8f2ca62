"""The header's "who am I here" line, computed only when a page shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from odl.accounts.models import EtdAgent
from odl.accounts.roles import is_coordinator
from odl.accounts.team import display_name
from odl.atds.models import AtdMembership, AtdRole


@dataclass(frozen=True)
class Header:
    name: str
    role: str
    team_slug: str
    # The ATD whose follow-up pages the menu links to (any role of its team; coordinators have none).
    atd_slug: str = ""


def header_of(user: Any) -> Header:
    name = display_name(user)
    if is_coordinator(user):
        return Header(name, "coordination nationale", "")
    # Function nouns ("administration", "animation") read the same whoever holds them.
    memberships = list(
        AtdMembership.objects.filter(user=user).select_related("atd").order_by("role", "atd__name")[:2]
    )
    if memberships:
        first = memberships[0]
        what = "administration" if first.role == AtdRole.ADMIN else "animation"
        more = " (et d'autres ATD)" if len(memberships) > 1 else ""
        team = first.atd.slug if first.role == AtdRole.ADMIN else ""
        return Header(name, f"{what} de l'ATD « {first.atd.name} »{more}", team, first.atd.slug)
    agent = EtdAgent.objects.filter(user=user).select_related("territory").first()
    if agent is not None:
        return Header(name, f"agent de {agent.territory.nom}", "")
    return Header(name, "", "")


def account(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"account_header": SimpleLazyObject(lambda: header_of(user))}
