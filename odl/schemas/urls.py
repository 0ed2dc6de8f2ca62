from django.urls import path

from odl.schemas import views

app_name = "schemas"

urlpatterns = [
    path("", views.validate_page, name="validate"),
    path("lots/<uuid:batch>/", views.batch_page, name="batch"),
    path("rapports/<uuid:pk>/", views.report_page, name="report"),
    path("rapports/<uuid:pk>.json", views.report_json, name="report_json"),
    path("rapports/<uuid:pk>/badge.svg", views.badge, name="badge"),
    path("rapports/<uuid:pk>/corrige.csv", views.fixed_download, name="fixed"),
    path("rapports/<uuid:pk>/corrections.csv", views.changes_download, name="changes"),
]
