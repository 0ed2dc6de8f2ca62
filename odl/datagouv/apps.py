from django.apps import AppConfig


class DatagouvConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.datagouv"
    label = "datagouv"
    verbose_name = "data.gouv.fr : envoi des jeux de données des collectivités"
