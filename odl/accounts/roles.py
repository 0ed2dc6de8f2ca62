"""The four roles and the questions every view asks about them.

- national coordinator: a staff user; sees and manages every ATD;
- ATD staff: a member of one or more ATDs, as admin (manages the ATD, its team, its templates) or
  animateur (follows the ETDs);
- ETD agent: works for one collectivité accompanied by an ATD (``odl.accounts.models.EtdAgent``);
- public visitor: anybody else, signed in or not.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd, AtdMembership, AtdRole


class Role(StrEnum):
    COORDINATOR = "coordinator"
    ATD_ADMIN = "atd_admin"
    ANIMATEUR = "animateur"
    ETD_AGENT = "etd_agent"
    VISITOR = "visitor"


ROLE_LABELS = {
    Role.COORDINATOR: "coordination nationale",
    Role.ATD_ADMIN: "administrateur d'ATD",
    Role.ANIMATEUR: "animateur d'ATD",
    Role.ETD_AGENT: "agent d'une collectivité accompagnée",
    Role.VISITOR: "visiteur",
}


def is_coordinator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def role_of(user: Any) -> Role:
    """The highest role of a user (a person may be animateur of one ATD and admin of another)."""
    if not getattr(user, "is_authenticated", False):
        return Role.VISITOR
    if user.is_staff:
        return Role.COORDINATOR
    roles = set(AtdMembership.objects.filter(user=user).values_list("role", flat=True))
    if AtdRole.ADMIN in roles:
        return Role.ATD_ADMIN
    if roles:
        return Role.ANIMATEUR
    if EtdAgent.objects.filter(user=user).exists():
        return Role.ETD_AGENT
    return Role.VISITOR


def atd_role(user: Any, atd: Atd) -> str | None:
    """``admin``, ``animateur`` or None for this ATD; a coordinator counts as an admin of every ATD."""
    if is_coordinator(user):
        return AtdRole.ADMIN
    if not getattr(user, "is_authenticated", False):
        return None
    return AtdMembership.objects.filter(user=user, atd=atd).values_list("role", flat=True).first()


def can_follow(user: Any, atd: Atd) -> bool:
    """May follow this ATD's ETDs (pipeline, conventions, commitments, meetings): its staff, coordinators."""
    return atd_role(user, atd) is not None


def can_administer(user: Any, atd: Atd) -> bool:
    """May edit the ATD, invite its team and manage its templates: its admins, coordinators."""
    return atd_role(user, atd) == AtdRole.ADMIN
