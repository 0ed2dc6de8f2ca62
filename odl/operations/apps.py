from django.apps import AppConfig


class OperationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.operations"
    label = "operations"
    verbose_name = "Exploitation : les tâches de la plateforme"
