from django.apps import AppConfig


class HarvestConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.harvest"
    label = "harvest"
    verbose_name = "Moissonnage des catalogues"

    def ready(self) -> None:
        # Each module of the harvesters package registers its kind of source when imported: the form,
        # the commands, the model's choices and the API all read that one registry.
        from odl.harvest.harvesters.base import discover

        discover()
