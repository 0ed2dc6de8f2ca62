from django.apps import AppConfig


class AtdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.atds"
    label = "atds"
    verbose_name = "Animateurs territoriaux des données"
