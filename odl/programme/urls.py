"""The programme's pages, one module of views per part of the accompaniment (each with its urlpatterns)."""

from django.urls import URLPattern, URLResolver

from odl.programme import conventions_views, dashboards_views, meetings_views, pipeline_views, resources_views

app_name = "programme"

urlpatterns: list[URLPattern | URLResolver] = [
    *pipeline_views.urlpatterns,
    *conventions_views.urlpatterns,
    *meetings_views.urlpatterns,
    *resources_views.urlpatterns,
    *dashboards_views.urlpatterns,
]
