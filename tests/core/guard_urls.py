"""A page rendering ``guard/page.html`` (written by the test) with a small context."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


def page(request: HttpRequest) -> HttpResponse:
    return render(request, "guard/page.html", {"commune": {"nom": "Rennes", "siren": ""}, "rows": []})


urlpatterns = [path("guard/", page)]
