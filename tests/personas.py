"""The people who use the platform, as tests create them.

- **Claire, national coordinator** (``coordinator``): staff; sees every source and every publisher.
- **Alice, ATD agent** (``atd_agent``): admin (``AtdMembership``) of the ATD of the Département
  d'Ille-et-Vilaine (35); declares her ATD's sources and reviews the publishers in her perimeter.
- **Bruno, animateur** (``animateur``): animateur (``AtdMembership``) of the same ATD of Ille-et-Vilaine;
  follows the ETDs but does not manage the team.
- **Étienne, ETD agent** (``etd_agent``): a real ``EtdAgent`` of the commune of Rennes (35238), accompanied
  by the ATD of Ille-et-Vilaine; no ATD membership, so no ATD page beyond his commune's.
- **Denise, staff of another ATD** (``other_atd_staff``): admin of the ATD of the Côtes-d'Armor (22), whose
  perimeter holds neither Rennes nor Alice's team: what she must not see tells where perimeters end.
- **A citizen** (``citizen``): nobody logged in; the public pages only.

The Ille-et-Vilaine and Rennes territories come from the small référentiel (tests/territories/fixtures):
load it first (the ``small_referentiel`` fixture) before creating an ATD agent.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd, AtdKind, AtdMembership, AtdRole
from odl.territories.models import Territory

PASSWORD = "correct horse battery staple"
ATD_TERRITORY = ("departement", "35")
ETD_COMMUNE = ("commune", "35238")
OTHER_ATD_TERRITORY = ("departement", "22")


def coordinator(username: str = "claire") -> Any:
    """A national coordinator: a staff user."""
    return get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, first_name="Claire", last_name="Coordinatrice"
    )


def atd_of(territory: tuple[str, str] = ATD_TERRITORY, atd_name: str = "") -> Atd:
    """The ATD whose perimeter is ``territory`` (kind, code), created the first time it is asked for."""
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
    return atd


def atd_agent(
    username: str = "alice",
    territory: tuple[str, str] = ATD_TERRITORY,
    atd_name: str = "",
    role: str = AtdRole.ADMIN,
) -> Any:
    """An agent of the ATD whose perimeter is ``territory`` (kind, code): Ille-et-Vilaine by default."""
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, first_name=username.title(), email=f"{username}@example.org"
    )
    AtdMembership.objects.create(user=user, atd=atd_of(territory, atd_name), role=role)
    return user


def animateur(username: str = "bruno") -> Any:
    """An animateur of the ATD of Ille-et-Vilaine (Alice's team)."""
    return atd_agent(username, role=AtdRole.ANIMATEUR)


def other_atd_staff(username: str = "denise") -> Any:
    """The admin of the ATD of the Côtes-d'Armor: staff of an ATD, but not of Alice's."""
    return atd_agent(username, territory=OTHER_ATD_TERRITORY)


def etd_agent(username: str = "etienne") -> Any:
    """An agent of the commune of Rennes, accompanied by the ATD of Ille-et-Vilaine."""
    user = get_user_model().objects.create_user(
        username,
        password=PASSWORD,
        first_name="Étienne",
        last_name="Agent de Rennes",
        email=f"{username}@example.org",
    )
    kind, code = ETD_COMMUNE
    EtdAgent.objects.create(user=user, atd=atd_of(), territory=Territory.objects.get(kind=kind, code=code))
    return user


def logged_in(user: Any) -> Client:
    """A browser of its own, logged in as ``user`` (several personas can act in one test)."""
    client = Client()
    client.force_login(user)
    return client


def citizen() -> Client:
    """Somebody on the public pages, logged in as nobody."""
    return Client()
