from django.urls import path

from odl.operations import views

app_name = "operations"

urlpatterns = [
    path("coordination/taches/", views.jobs, name="jobs"),
]
