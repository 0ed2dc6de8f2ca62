"""The questionnaire's pages (odl/culture/views.py holds them with their urlpatterns)."""

from django.urls import URLPattern

from odl.culture import views

app_name = "culture"

urlpatterns: list[URLPattern] = [*views.urlpatterns]
