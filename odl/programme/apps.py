from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.programme"
    label = "programme"
    verbose_name = "Programme OpenDataLocale : accompagnement des collectivités"
