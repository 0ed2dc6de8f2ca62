from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "odl.observatory"
    label = "observatory"
    verbose_name = "Observatoire de l'open data territorial"
