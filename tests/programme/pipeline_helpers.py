"""Shared set-up of the pipeline tests: Alice's ATD of Ille-et-Vilaine and its ETDs."""

from __future__ import annotations

from typing import Any

from odl.atds.models import Atd
from odl.programme.models import Etd
from odl.territories.models import Territory


def alice_atd(atd_agent: Any) -> Atd:
    return Atd.objects.get(memberships__user=atd_agent)


def commune(code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=code)


def follow(atd: Atd, *codes: str) -> list[Etd]:
    return [Etd.objects.create(atd=atd, territory=commune(code)) for code in codes]
