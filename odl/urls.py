from django.contrib import admin
from django.urls import include, path

from odl.accounts import views as account_views
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
    path("", include("odl.culture.urls")),
    path("", include("odl.animations.urls")),
    path("", include("odl.datagouv.urls")),
    path("", include("odl.places.urls")),
    path("", include("odl.reuses.urls")),
    path("", include("odl.publishing.urls")),
    path("", include("odl.operations.urls")),
    path("", include("odl.dashboards.urls")),
    path("api/", api.urls),
    path("comptes/connexion/", account_views.sign_in, name="login"),
    path("comptes/deconnexion/", account_views.sign_out, name="logout"),
    # The admin signs in on the site's page: two-factor step and lockout alike.
    path("admin/login/", account_views.admin_sign_in, name="admin_login"),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
]
