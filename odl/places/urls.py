"""The directory of places (views and their urlpatterns live in ``views.py``)."""

from django.urls import URLPattern, URLResolver

from odl.places import views

app_name = "places"

urlpatterns: list[URLPattern | URLResolver] = [*views.urlpatterns]
