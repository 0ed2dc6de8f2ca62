from typing import Any

from django.apps import AppConfig


class DatagouvConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.datagouv"
    label = "datagouv"
    verbose_name = "data.gouv.fr : envoi des jeux de données des collectivités"

    def atd_sections(self, atd: Any) -> list[tuple[str, str]]:
        """The ATD sub-menu's link to its collectivités' data.gouv.fr organisations (odl/core/hooks.py)."""
        from django.urls import reverse

        return [("data.gouv.fr", reverse("datagouv:links", args=[atd.slug]))]
