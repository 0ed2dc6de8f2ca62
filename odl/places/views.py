"""Pages of the directory: the public map and table, a place; the ATD team's import and additions.

A place an ATD added belongs to it (another ATD's team gets a 404 on its edit page); imported places
may be corrected by any ATD's team, and stay as corrected through later imports.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import json_script
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from odl.accounts.access import access
from odl.atds.models import Atd
from odl.places import importer
from odl.places.forms import ImportForm, PlaceForm
from odl.places.models import Place, PlaceKind
from odl.territories.models import Kind, Territory

PER_PAGE = 50
# The map carries every place of the filtered directory, up to this many (the table pages the rest).
MAP_POINTS = 6000


def territory_from_code(raw: str) -> Territory | None:
    """« 35238 » (commune), « 200039865 » (EPCI), « D35 », « R53 »; None when unknown."""
    code = raw.strip().upper()
    if code[:1] in ("D", "R") and len(code) <= 4:
        kind, value = (Kind.DEPARTEMENT if code[0] == "D" else Kind.REGION), code[1:]
    elif len(code) == 9 and code.isdigit():
        kind, value = Kind.EPCI, code
    else:
        kind, value = Kind.COMMUNE, code
    return Territory.objects.filter(kind=kind, code=value).first()


def _map_config(places: Any, chosen: dict[str, str]) -> str:
    """The map's points as a ``json_script`` tag, kept until a place of the filter changes.

    Thousands of points cost more to serialise than the rest of the page: the tag is cached under the
    filter and the places' count, highest id and last change (an addition, edit or deletion renews it).
    """
    state = places.aggregate(count=Count("pk"), top=Max("pk"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    parts = f"{chosen['territoire']}|{chosen['type']}|{state['count']}|{state['top']}|{last}"
    # Hashed: the filter is free text, and a cache key must stay short and plain.
    key = "places-map-" + hashlib.sha256(parts.encode()).hexdigest()[:32]
    tag = cache.get(key)
    if tag is None:
        points = list(
            places.order_by("pk").values_list("pk", "name", "kind", "latitude", "longitude")[:MAP_POINTS]
        )
        config = {
            "points": [[pk, name, kind, round(lat, 6), round(lon, 6)] for pk, name, kind, lat, lon in points],
            "labels": dict(PlaceKind.choices),
            "detail": reverse("places:detail", args=[0]),
            "tiles": settings.ODL_ANIMATIONS_TILES_URL,
            "attribution": settings.ODL_ANIMATIONS_TILES_ATTRIBUTION,
        }
        tag = json_script(config, "places-map-config")
        cache.set(key, tag, 3600)
    return mark_safe(str(tag))  # noqa: S308 - json_script's own escaped output, cached


@access("public")
def directory(request: HttpRequest) -> HttpResponse:
    chosen = {
        "territoire": request.GET.get("territoire", "").strip()[:20],
        "type": request.GET.get("type", "").strip()[:20],
    }
    places = Place.objects.all()
    problem = ""
    territory = None
    if chosen["territoire"]:
        territory = territory_from_code(chosen["territoire"])
        if territory is None:
            problem = (
                f"Territoire inconnu : « {chosen['territoire']} » (code INSEE d'une commune, SIREN d'un EPCI, "
                "D35 pour un département, R53 pour une région)."
            )
        else:
            places = places.inside(territory)
    if chosen["type"]:
        if chosen["type"] in PlaceKind.values:
            places = places.filter(kind=chosen["type"])
        else:
            problem = f"Type de lieu inconnu : « {chosen['type']} »."
    if problem:
        places = places.none()
    map_config = _map_config(places, chosen)
    page = Paginator(places.for_directory(), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "chosen": chosen,
        "territory": territory,
        "problem": problem,
        "kinds": PlaceKind.choices,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "map_config": map_config,
        "teams": list(Atd.objects.of_user(request.user)),
    }
    return render(request, "places/directory.html", context, status=400 if problem else 200)


@access("public")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Place.objects.select_related("commune", "atd"), pk=pk)
    teams = Atd.objects.of_user(request.user) if not request.user.is_staff else Atd.objects.all()[:50]
    return render(request, "places/detail.html", {"place": place, "teams": teams})


# --- The ATD team ---------------------------------------------------------------------------------------


@access("atd_staff")
def team(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    report = None
    problem = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                if upload.size > importer.max_bytes():
                    raise importer.ImportProblem(
                        f"Fichier trop volumineux : plus de {settings.ODL_PLACES_IMPORT_MAX_MB} Mo."
                    )
                data, label = upload.read(), f"fichier {upload.name}"
            else:
                url = form.cleaned_data["url"].strip()
                data, label = importer.fetch(url), url
            report = importer.import_places(data, label)
            messages.success(request, report.summary())
        except importer.ImportProblem as exc:
            problem = str(exc)
    context: dict[str, Any] = {
        "atd": atd,
        "form": form,
        "report": report,
        "problem": problem,
        "places": Place.objects.filter(atd=atd).select_related("commune").order_by("name")[:200],
    }
    status = 400 if (problem or form.errors) else 200
    return render(request, "places/team.html", context, status=status)


def _save(request: HttpRequest, atd: Atd, instance: Place | None) -> HttpResponse:
    form = PlaceForm(request.POST or None, atd=atd, instance=instance)
    if request.method == "POST" and form.is_valid():
        place = form.save()
        messages.success(request, "Lieu enregistré.")
        return HttpResponseRedirect(place.get_absolute_url())
    return render(
        request,
        "places/form.html",
        {"atd": atd, "form": form, "place": instance},
        status=400 if form.errors else 200,
    )


@access("atd_staff")
def place_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _save(request, request.atd, None)  # type: ignore[attr-defined]


@access("atd_staff")
def place_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    place = get_object_or_404(
        Place.objects.filter(Q(atd=atd) | Q(atd__isnull=True)).select_related("commune"), pk=pk
    )
    return _save(request, atd, place)


urlpatterns = [
    path("lieux/", directory, name="directory"),
    path("lieux/<int:pk>/", detail, name="detail"),
    path("suivi/<slug:slug>/lieux/", team, name="team"),
    path("suivi/<slug:slug>/lieux/nouveau/", place_new, name="new"),
    path("suivi/<slug:slug>/lieux/<int:pk>/modifier/", place_edit, name="edit"),
]
