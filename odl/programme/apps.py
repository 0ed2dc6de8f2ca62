from collections.abc import Callable

from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.programme"
    label = "programme"
    verbose_name = "Programme OpenDataLocale : accompagnement des collectivités"

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo »: the programme's demonstration ATD (odl/programme/demo.py)."""
        from odl.programme import demo

        demo.load(username, password, say)
