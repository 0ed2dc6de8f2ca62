"""The people who use the platform, as tests create them.

- **Claire, national coordinator** (``coordinator``): staff; sees every source and every publisher.
- **Alice, ATD agent** (``atd_agent``): admin (``AtdMembership``) of the ATD of the Département
  d'Ille-et-Vilaine (35); declares her ATD's sources and reviews the publishers in her perimeter.
- **Étienne, ETD agent** (``etd_agent``): works for one commune, Rennes (35238). The platform has no model
  for a commune's team yet: he is a plain logged-in user, without ATD membership, who sees what any
  logged-in user sees (saved perimeters, the harvest pages without the right to declare or review).
- **A citizen** (``citizen``): nobody logged in; the public pages only.

The Ille-et-Vilaine and Rennes territories come from the small référentiel (tests/territories/fixtures):
load it first (the ``small_referentiel`` fixture) before creating an ATD agent.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from odl.atds.models import Atd, AtdKind, AtdMembership, AtdRole
from odl.territories.models import Territory

PASSWORD = "correct horse battery staple"
ATD_TERRITORY = ("departement", "35")
ETD_COMMUNE = ("commune", "35238")


def coordinator(username: str = "claire") -> Any:
    """A national coordinator: a staff user."""
    return get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, first_name="Claire", last_name="Coordinatrice"
    )


def atd_agent(
    username: str = "alice",
    territory: tuple[str, str] = ATD_TERRITORY,
    atd_name: str = "",
    role: str = AtdRole.ADMIN,
) -> Any:
    """An agent of the ATD whose perimeter is ``territory`` (kind, code): Ille-et-Vilaine by default."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=username.title())
    kind, code = territory
    where = Territory.objects.get(kind=kind, code=code)
    atd = Atd.objects.filter(structure=where, name=atd_name or f"ATD {where.nom}").first()
    if atd is None:
        atd = Atd.objects.create(
            name=atd_name or f"ATD {where.nom}",
            kind=kind if kind in AtdKind.values else "autre",
            structure=where,
        )
        atd.areas.add(where)
    AtdMembership.objects.create(user=user, atd=atd, role=role)
    return user


def etd_agent(username: str = "etienne") -> Any:
    """An agent of the commune of Rennes (see the module docstring: a plain user for now)."""
    return get_user_model().objects.create_user(
        username, password=PASSWORD, first_name="Étienne", last_name="Agent de Rennes"
    )


def logged_in(user: Any) -> Client:
    """A browser of its own, logged in as ``user`` (several personas can act in one test)."""
    client = Client()
    client.force_login(user)
    return client


def citizen() -> Client:
    """Somebody on the public pages, logged in as nobody."""
    return Client()
