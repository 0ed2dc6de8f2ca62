from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "odl.territories"
    label = "territories"
    verbose_name = "Référentiel des collectivités"
