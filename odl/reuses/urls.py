"""The reuses' pages (views and their urlpatterns live in ``views.py``)."""

from django.urls import URLPattern, URLResolver

from odl.reuses import views

app_name = "reuses"

urlpatterns: list[URLPattern | URLResolver] = [*views.urlpatterns]
