import datetime as dt
from collections.abc import Callable
from typing import Any

from django.apps import AppConfig


class CultureConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.culture"
    label = "culture"
    verbose_name = "Culture de la donnée : questionnaire de positionnement"

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo »: the default question bank and rules, and a demonstration campaign."""
        from odl.culture import demo

        demo.load(say)

    def purge_expired(self, now: dt.datetime, days: int) -> str:
        """Called by « odl purge »: the answers past their campaign's retention period (``days`` is the
        validation reports' retention, not this one: each campaign states its own)."""
        from odl.culture.retention import purge_expired_responses

        removed = purge_expired_responses(now)
        return (
            f"{removed} réponse(s) au questionnaire supprimée(s) à l'échéance de leur durée de conservation."
        )

    def atd_sections(self, atd: Any) -> list[tuple[str, str]]:
        """The ATD sub-menu's link to this app's pages (odl/core/hooks.py)."""
        from django.urls import reverse

        return [("Questionnaire de culture de la donnée", reverse("culture:campaigns", args=[atd.slug]))]

    def atd_dashboard_panels(self, atd: Any) -> list[Any]:
        """The ATD dashboard's block of open campaigns (odl/culture/panels.py)."""
        from odl.culture import panels

        return [panels.dashboard_panel(atd)]
