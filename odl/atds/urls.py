from django.urls import URLPattern, URLResolver

app_name = "atds"

urlpatterns: list[URLPattern | URLResolver] = []
