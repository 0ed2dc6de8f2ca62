from collections.abc import Callable

from django.apps import AppConfig


class ReusesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.reuses"
    label = "reuses"
    verbose_name = "Réutilisations et observatoires nationaux"

    def ready(self) -> None:
        from odl.harvest.signals import harvest_finished
        from odl.reuses.harvest import after_harvest

        # Reuses are harvested on the datasets' own schedule: right after each harvest.
        harvest_finished.connect(after_harvest, dispatch_uid="reuses.after_harvest")

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo »: a couple of demonstration reuses (odl/reuses/demo.py)."""
        from odl.reuses import demo

        demo.load(say)
