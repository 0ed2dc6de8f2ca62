"""URLs of harvest sources, runs and the publisher review queue (under /observatoire/moissonnage/)."""

from django.urls import URLPattern, URLResolver, path

from odl.harvest import views

app_name = "harvest"

urlpatterns: list[URLPattern | URLResolver] = [
    path("moissonnage/", views.source_list, name="sources"),
    path("moissonnage/sources/nouvelle/", views.source_new, name="source_new"),
    path("moissonnage/sources/<int:pk>/", views.source_detail, name="source"),
    path("moissonnage/sources/<int:pk>/lancer/", views.source_run, name="source_run"),
    path("moissonnage/sources/<int:pk>/activation/", views.source_toggle, name="source_toggle"),
    path("moissonnage/passages/<int:pk>/", views.run_detail, name="run"),
    path("moissonnage/editeurs/", views.review_queue, name="review"),
    path("moissonnage/editeurs/correspondances.csv", views.mapping_export, name="mapping_export"),
    path("moissonnage/editeurs/import/", views.mapping_import, name="mapping_import"),
    path("moissonnage/editeurs/<int:pk>/decision/", views.review_decide, name="decide"),
]
