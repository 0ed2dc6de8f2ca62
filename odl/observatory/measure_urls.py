"""URLs of indicators, dashboards, history and the map."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
