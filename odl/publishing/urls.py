"""The data space of each collectivité, the public dataset pages (views in ``views.py``) and the widgets
for the collectivité's website (``widgets.py``), the grid (``grid.py``)."""

from odl.publishing import grid, views, widgets

app_name = "publishing"
urlpatterns = views.urlpatterns + widgets.urlpatterns + grid.urlpatterns

__all__ = ["app_name", "urlpatterns"]
