"""An ATD's team as its admins manage it: members and their roles, never without an admin."""

from __future__ import annotations

from django.db.models import QuerySet

from odl.atds.models import Atd, AtdMembership, AtdRole


class LastAdmin(Exception):
    """Refused: the ATD would be left with nobody to manage it."""


def members(atd: Atd) -> QuerySet[AtdMembership]:
    return AtdMembership.objects.filter(atd=atd).select_related("user").order_by("role", "user__last_name")


def _check_not_last_admin(membership: AtdMembership) -> None:
    if membership.role != AtdRole.ADMIN:
        return
    others = AtdMembership.objects.filter(atd_id=membership.atd_id, role=AtdRole.ADMIN).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise LastAdmin(
            f"{display_name(membership.user)} est le seul administrateur de l'ATD : "
            "nommez d'abord un autre administrateur."
        )


def change_role(membership: AtdMembership, role: str) -> None:
    if role not in AtdRole.values:
        raise ValueError(f"rôle inconnu : « {role} »")
    if role != AtdRole.ADMIN:
        _check_not_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])


def remove(membership: AtdMembership) -> None:
    _check_not_last_admin(membership)
    membership.delete()


def display_name(user: object) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "get_username", lambda: "")())
