from django.apps import AppConfig


class HarvestConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.harvest"
    label = "harvest"
    verbose_name = "Moissonnage des catalogues"
