from typing import Any

from django.apps import AppConfig


def _harvest_seen(**_signal: Any) -> None:
    from odl.territories.views import page_data_changed

    page_data_changed()


class ObservatoryConfig(AppConfig):
    name = "odl.observatory"
    label = "observatory"
    verbose_name = "Observatoire de l'open data territorial"

    def ready(self) -> None:
        from odl.harvest.signals import harvest_finished
        from odl.observatory.pipeline import after_harvest

        harvest_finished.connect(after_harvest, dispatch_uid="observatory.after_harvest")
        # After the pipeline (receivers run in the order connected): what a harvest wrote in bulk.
        harvest_finished.connect(_harvest_seen, dispatch_uid="observatory.harvest_seen")
