from django.apps import AppConfig


class SchemasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.schemas"
    label = "schemas"
    verbose_name = "Schémas et validation"
