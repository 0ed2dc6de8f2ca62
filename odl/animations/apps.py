from collections.abc import Callable
from typing import Any

from django.apps import AppConfig


class AnimationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.animations"
    label = "animations"
    verbose_name = "Animations : formats, événements et suivi de ce qui dure"

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo » after the programme's: a few demonstration events (odl/animations/demo.py)."""
        from odl.animations import demo

        demo.load(say)

    def atd_sections(self, atd: Any) -> list[tuple[str, str]]:
        """The ATD sub-menu's link to this app's pages (odl/core/hooks.py)."""
        from django.urls import reverse

        return [("Animations", reverse("animations:events", args=[atd.slug]))]

    def atd_dashboard_panels(self, atd: Any) -> list[Any]:
        """The ATD dashboard's block of follow-ups to answer and next events (odl/animations/panels.py)."""
        from odl.animations import panels

        return [panels.dashboard_panel(atd)]
