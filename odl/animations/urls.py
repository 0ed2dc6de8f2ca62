"""The animation planner's pages (views and their urlpatterns live in ``views.py``)."""

from django.urls import URLPattern, URLResolver

from odl.animations import views

app_name = "animations"

urlpatterns: list[URLPattern | URLResolver] = [*views.urlpatterns]
