from django.urls import path

from odl.territories import views

app_name = "territories"

urlpatterns = [
    path("ciblage/", views.targets, name="targets"),
    path("ciblage/export.<str:fmt>", views.targets_export, name="targets_export"),
    path("recherche/", views.search, name="search"),
    path("recherche/communes.json", views.communes_suggest, name="communes_suggest"),
    path("collectivites/<str:kind>/<str:code>/", views.territory_detail, name="detail"),
    path("perimetres/", views.perimeter_list, name="perimeters"),
    path("perimetres/enregistrer/", views.perimeter_save, name="perimeter_save"),
    path("perimetres/<slug:slug>/", views.perimeter_open, name="perimeter"),
]
