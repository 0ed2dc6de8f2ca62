"""URLs of harvest sources, runs and the publisher review queue."""

from django.urls import URLPattern, URLResolver, path

from odl.observatory import harvest_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("moissonnage/", views.source_list, name="harvest_sources"),
    path("moissonnage/sources/nouvelle/", views.source_new, name="harvest_source_new"),
    path("moissonnage/sources/<int:pk>/", views.source_detail, name="harvest_source"),
    path("moissonnage/sources/<int:pk>/lancer/", views.source_run, name="harvest_source_run"),
    path("moissonnage/sources/<int:pk>/activation/", views.source_toggle, name="harvest_source_toggle"),
    path("moissonnage/passages/<int:pk>/", views.run_detail, name="harvest_run"),
    path("moissonnage/editeurs/", views.review_queue, name="harvest_review"),
    path("moissonnage/editeurs/correspondances.csv", views.mapping_export, name="harvest_mapping_export"),
    path("moissonnage/editeurs/import/", views.mapping_import, name="harvest_mapping_import"),
    path("moissonnage/editeurs/<int:pk>/decision/", views.review_decide, name="harvest_decide"),
]
