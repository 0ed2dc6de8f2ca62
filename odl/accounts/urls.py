from django.urls import URLPattern, URLResolver

from odl.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [*views.urlpatterns]
