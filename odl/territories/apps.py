from typing import Any

from django.apps import AppConfig


def _page_data_saved(sender: Any, **_kwargs: Any) -> None:
    from odl.territories.views import PAGE_DATA_APPS, page_data_changed

    meta = getattr(sender, "_meta", None)
    if meta is not None and meta.app_label in PAGE_DATA_APPS:
        page_data_changed()


class TerritoriesConfig(AppConfig):
    name = "odl.territories"
    label = "territories"
    verbose_name = "Référentiel des collectivités"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        # Any sender: the apps whose blocks a collectivité page shows are told apart by their label.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(_page_data_saved, dispatch_uid=f"territories.page_data.{id(signal)}")
