"""The questionnaire's block on the ATD's dashboard (odl/core/hooks.py): the campaigns still open and
how many agents answered, so the ATD knows when to relaunch them."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from odl.atds.models import Atd
from odl.core.hooks import Panel
from odl.culture.models import Campaign


def dashboard_panel(atd: Atd) -> Panel:
    today = timezone.localdate()
    campaigns = list(
        Campaign.objects.of_atd(atd)
        .open_on(today)
        .annotate(answered=Count("responses"))
        .order_by("closes_on")
    )
    return Panel(
        "Questionnaire de culture de la donnée",
        "culture/panels/dashboard.html",
        {"atd": atd, "campaigns": campaigns},
    )
