"""URLs of harvest sources, runs and the publisher review queue."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
