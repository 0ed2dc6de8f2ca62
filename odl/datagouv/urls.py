"""The data.gouv.fr pages (views and their urlpatterns live in ``views.py``)."""

from django.urls import URLPattern, URLResolver

from odl.datagouv import views

app_name = "datagouv"

urlpatterns: list[URLPattern | URLResolver] = [*views.urlpatterns]
