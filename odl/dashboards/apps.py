from collections.abc import Callable
from typing import Any

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "odl.dashboards"
    verbose_name = "Tableaux de bord honnêtes"
    default_auto_field = "django.db.models.BigAutoField"

    def atd_sections(self, atd: Any) -> list[tuple[str, str]]:
        """The ATD sub-menu's link to its dashboards (odl/core/hooks.py)."""
        from django.urls import reverse

        return [("Tableaux de bord", reverse("dashboards:atd_index", args=[atd.slug]))]

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo » after the publishing demo: a dashboard on its dataset (demo.py)."""
        from odl.dashboards import demo

        demo.load(say)
