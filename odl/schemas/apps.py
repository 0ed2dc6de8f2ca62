import datetime as dt

from django.apps import AppConfig


class SchemasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.schemas"
    label = "schemas"
    verbose_name = "Schémas et validation"

    def purge_expired(self, now: dt.datetime, days: int) -> str:
        """Called by « odl purge »: the reports, corrected copies and lists of corrections past ``days``."""
        from odl.schemas.purge import purge_validations

        result = purge_validations(days, now=now)
        return f"{result.runs} rapport(s) de validation et {result.files} fichier(s) supprimé(s)."
