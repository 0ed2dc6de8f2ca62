from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "odl.observatory"
    label = "observatory"
    verbose_name = "Observatoire de l'open data territorial"

    def ready(self) -> None:
        from odl.harvest.signals import harvest_finished
        from odl.observatory.pipeline import after_harvest

        harvest_finished.connect(after_harvest, dispatch_uid="observatory.after_harvest")
