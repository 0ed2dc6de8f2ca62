"""Fixtures of the planner: the ATD of Ille-et-Vilaine (Alice's) and events of a given format."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from odl.animations import planning
from odl.animations.fiches import load_defaults
from odl.animations.models import Event, Format
from odl.atds.models import Atd


@pytest.fixture
def fiches(db: None) -> None:
    """The default fiches: a data migration loads them, but a transactional test's flush empties the table."""
    load_defaults(Format)


@pytest.fixture
def atd(atd_agent: Any) -> Atd:
    return Atd.objects.get(memberships__user=atd_agent)


@pytest.fixture
def make_event(atd: Atd, atd_agent: Any, fiches: None) -> Callable[..., Event]:
    def make(
        slug: str = "hackathon",
        starts: datetime.date = datetime.date(2026, 3, 14),
        ends: datetime.date | None = None,
        **fields: Any,
    ) -> Event:
        values: dict[str, Any] = {
            "format": Format.objects.get(slug=slug),
            "atd": fields.pop("atd", atd),
            "title": fields.pop("title", f"Test {slug}"),
            "starts_on": starts,
            "ends_on": ends or starts,
            "organiser": atd_agent,
        }
        event = Event.objects.create(**values, **fields)
        planning.generate_checklist(event)
        planning.schedule_followups(event)
        return event

    return make
