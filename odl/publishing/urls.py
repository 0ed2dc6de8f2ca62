"""The data space of each collectivité, the public dataset pages (views in ``views.py``) and the widgets
for the collectivité's website (``widgets.py``)."""

from odl.publishing import views, widgets

app_name = "publishing"
urlpatterns = views.urlpatterns + widgets.urlpatterns

__all__ = ["app_name", "urlpatterns"]
