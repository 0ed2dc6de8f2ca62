"""URLs of indicators, dashboards, history and the map."""

from django.urls import URLPattern, URLResolver, path

from odl.observatory import geo_views, views

app_name = "observatory"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("collectivites/<slug:which>/", views.collectivite_list, name="list"),
    path(
        "collectivites/<slug:which>/export.<str:fmt>",
        views.collectivite_list_export,
        name="list_export",
    ),
    path("instantanes/", views.snapshot_list, name="snapshots"),
    path("instantanes/<int:pk>/lignes.<str:fmt>", views.snapshot_rows, name="snapshot_rows"),
    path("carte/", geo_views.map_page, name="map"),
    path("carte/grille.json", geo_views.grid_data, name="map_grid"),
    path("carte/formes.json", geo_views.shapes_data, name="map_shapes"),
    path("carte/collectivites.json", geo_views.collectivites_data, name="map_collectivites"),
    path("carte/contours/<slug:layer>/<str:departement>.geojson", geo_views.contours, name="map_contours"),
]
