"""The animations' block on the ATD's dashboard (odl/core/hooks.py): the follow-ups to answer now,
which the e-mail reminder also announces, and the next events."""

from __future__ import annotations

import datetime

from django.utils import timezone

from odl.animations import planning
from odl.animations.models import Event
from odl.atds.models import Atd
from odl.core.hooks import Panel

# How far ahead the dashboard lists events, and how many lines each list shows at most.
HORIZON_DAYS = 60
LIMIT = 10


def dashboard_panel(atd: Atd, today: datetime.date | None = None) -> Panel:
    today = today or timezone.localdate()
    events = Event.objects.of_atd(atd)
    due = list(planning.due_followups(events, today)[: LIMIT + 1])
    upcoming = list(
        events.between(today, today + datetime.timedelta(days=HORIZON_DAYS)).for_calendar()[:LIMIT]
    )
    return Panel(
        "Animations : suivis à renseigner",
        "animations/panels/dashboard.html",
        {
            "atd": atd,
            "due": due[:LIMIT],
            "more": len(due) > LIMIT,
            "upcoming": upcoming,
            "horizon": HORIZON_DAYS,
        },
    )
