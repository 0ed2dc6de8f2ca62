from collections.abc import Callable

from django.apps import AppConfig


class PlacesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.places"
    label = "places"
    verbose_name = "Lieux de culture de la donnée (Infolabs, tiers-lieux, médiation numérique)"

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo »: a few demonstration places around Rennes (odl/places/demo.py)."""
        from odl.places import demo

        demo.load(say)
