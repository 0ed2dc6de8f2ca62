"""The ATD policies of :mod:`odl.core.access` (``atd_staff``, ``atd_admin``, ``etd``), registered at load.

Views import :func:`access` from here or from ``odl.core.access``: it is the same decorator.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from odl.accounts.models import EtdAgent
from odl.accounts.roles import atd_role
from odl.atds.models import Atd, AtdRole
from odl.core.access import POLICIES, Policy, access, policy_of, register_check

__all__ = ["POLICIES", "Policy", "access", "policy_of", "register"]


def _atd(request: HttpRequest, kwargs: dict[str, Any]) -> tuple[Atd, str | None]:
    atd = get_object_or_404(Atd, slug=kwargs.get("slug"))
    request.atd = atd  # type: ignore[attr-defined]
    return atd, atd_role(request.user, atd)


def atd_staff(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    atd, role = _atd(request, kwargs)
    if role is None:
        raise PermissionDenied(f"Cette page est réservée à l'équipe de l'ATD « {atd.name} ».")


def atd_admin(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    atd, role = _atd(request, kwargs)
    if role != AtdRole.ADMIN:
        raise PermissionDenied(f"Cette page est réservée aux administrateurs de l'ATD « {atd.name} ».")


def etd(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    atd, role = _atd(request, kwargs)
    if role is not None:
        return
    etd_id = int(kwargs.get("etd") or 0)
    agent = EtdAgent.objects.filter(
        user_id=int(request.user.pk or 0), atd=atd, territory__etds__pk=etd_id, territory__etds__atd=atd
    ).exists()
    if not agent:
        raise PermissionDenied("Cette page est réservée à la collectivité concernée et à son ATD.")


def register() -> None:
    register_check("atd_staff", atd_staff)
    register_check("atd_admin", atd_admin)
    register_check("etd", etd)
