from django.urls import URLPattern, URLResolver, path

from odl.atds import views

app_name = "atds"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reseau/", views.network, name="network"),
    path("reseau/nouveau/", views.create, name="create"),
    path("reseau/sans-atd/<str:departement>/", views.uncovered, name="uncovered"),
    path(
        "reseau/sans-atd/<str:departement>/export.<str:fmt>", views.uncovered_export, name="uncovered_export"
    ),
    path("reseau/<slug:slug>/", views.detail, name="detail"),
    path("reseau/<slug:slug>/modifier/", views.edit, name="edit"),
]
