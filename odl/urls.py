from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from odl.api import api
from odl.core import views as core_views
from odl.territories import views as territory_views

urlpatterns = [
    path("", territory_views.home, name="home"),
    path("", include("odl.territories.urls")),
    path("observatoire/", include("odl.harvest.urls")),
    path("observatoire/", include("odl.observatory.urls")),
    path("validation/", include("odl.schemas.urls")),
    path("", include("odl.atds.urls")),
    path("", include("odl.accounts.urls")),
    path("", include("odl.programme.urls")),
    path("api/", api.urls),
    path("comptes/connexion/", auth_views.LoginView.as_view(), name="login"),
    path("comptes/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
]
