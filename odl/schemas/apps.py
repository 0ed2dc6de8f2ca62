from django.apps import AppConfig, apps


class SchemasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.schemas"
    label = "schemas"
    verbose_name = "Schémas et validation"

    def ready(self) -> None:
        if apps.is_installed("odl.observatory"):
            from odl.observatory.history import register_scdl_validator
            from odl.schemas.observatory_hook import stored_verdict

            register_scdl_validator(stored_verdict)
