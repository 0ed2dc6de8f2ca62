import datetime as dt
from collections.abc import Callable
from typing import Any

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "odl.dashboards"
    verbose_name = "Tableaux de bord honnêtes"
    default_auto_field = "django.db.models.BigAutoField"

    def atd_sections(self, atd: Any) -> list[tuple[str, str]]:
        """The ATD sub-menu's link to its dashboards (odl/core/hooks.py)."""
        from django.urls import reverse

        return [("Tableaux de bord", reverse("dashboards:atd_index", args=[atd.slug]))]

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo » after the publishing demo: a dashboard on its dataset (demo.py)."""
        from odl.dashboards import demo

        demo.load(say)

    def purge_expired(self, now: dt.datetime, days: int) -> str:
        """Called by « odl purge »: copies of harvested resources read for a chart that was never saved
        (or was changed since), a day after they were read (``days`` does not apply to them)."""
        from django.db.models import Exists, OuterRef

        from odl.dashboards.models import Chart, ResourceCopy

        unused = ResourceCopy.objects.filter(fetched_at__lt=now - dt.timedelta(days=1)).exclude(
            Exists(Chart.objects.filter(copy=OuterRef("pk")))
        )
        removed = 0
        for copy in unused:
            copy.file.delete(save=False)
            copy.delete()
            removed += 1
        return f"{removed} copie(s) de ressource moissonnée inutilisée(s) supprimée(s)."
