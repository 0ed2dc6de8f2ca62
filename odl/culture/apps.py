from collections.abc import Callable

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
