from collections.abc import Callable

from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "odl.publishing"
    verbose_name = "Publication des jeux SCDL"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The widget's kept state of a dataset is renewed by any change of it (odl/publishing/widgets.py).
        from odl.publishing import widgets

        widgets.connect_signals()

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo » after the programme's: a published dataset (odl/publishing/demo.py)."""
        from odl.publishing import demo

        demo.load(say)
