from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "odl.core"
    label = "core"
    verbose_name = "Socle commun"
