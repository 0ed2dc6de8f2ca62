from collections.abc import Callable

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
