"""The data space of each collectivité and the public dataset pages (views in ``views.py``)."""

from odl.publishing.views import urlpatterns

app_name = "publishing"

__all__ = ["app_name", "urlpatterns"]
