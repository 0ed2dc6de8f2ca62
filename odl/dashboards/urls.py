"""The dashboards' builder, public pages, embed and exports (views in ``views.py``)."""

from odl.dashboards import views

app_name = "dashboards"
urlpatterns = views.urlpatterns

__all__ = ["app_name", "urlpatterns"]
