"""The observatory map: real shapes and tile grids of départements and régions offline (the shapes from
the npm package ``@gouvfr/dsfr-chart``, ``shapes.py``), communes and EPCI once synced."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from odl.core import figures
from odl.core.access import access
from odl.observatory import geo, shapes
from odl.observatory.indicators import IndicatorError, map_figures, measure, pick_snapshot, row_of
from odl.observatory.models import Snapshot
from odl.observatory.views import _error, public_parts, scope_from_request
from odl.territories.models import Kind
from odl.territories.targeting import CriteriaError, build_criteria

KIND_FILTERS = ("commune", "epci", "departement", "region")


def _all_perimeters(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    return map_figures(snapshot, build_criteria(check_codes=False).rule)


@access("public")
def map_page(request: HttpRequest) -> HttpResponse:
    parts = public_parts(request)
    if parts is None:
        return _map_page(request)
    # The synced contours change the page too (the layer it offers).
    return figures.cached_page("map", request, (parts, geo.manifest()), lambda: _map_page(request))


def _map_page(request: HttpRequest) -> HttpResponse:
    try:
        scope = scope_from_request(request)
        snapshot = pick_snapshot(scope.day)
    except CriteriaError as exc:
        return _error(request, str(exc))
    except IndicatorError as exc:
        return _error(request, str(exc), status=200 if not Snapshot.objects.exists() else 400)
    figures = _all_perimeters(snapshot)
    technologies = sorted(row["technology"] for row in figures["FR"]["by_technology"])
    table = []
    for cell in geo.grid_cells("departement"):
        data = figures.get("D:" + cell["code"], {})
        table.append(
            {
                **cell,
                "obliged": data.get("obliged", 0),
                "open_obliged": data.get("open_obliged", 0),
                "open": data.get("open", 0),
                "rate": data.get("rate_obliged"),
            }
        )
    try:
        drawn: dict[str, Any] | None = shapes.shapes()
    except shapes.ShapesUnavailable:
        drawn = None
    context = {
        "snapshot": snapshot,
        "scope": scope,
        "shapes": drawn,
        "synced": geo.manifest(),
        "technologies": technologies,
        "table": table,
        "map_config": {
            "grid_url": reverse("observatory:map_grid"),
            "shapes_url": reverse("observatory:map_shapes") if drawn else "",
            "collectivites_url": reverse("observatory:map_collectivites"),
            "contours_url": reverse("observatory:map_contours", args=["LAYER", "DEP"]),
            "dashboard_url": reverse("observatory:dashboard"),
            "date": snapshot.date.isoformat(),
            "synced": geo.manifest() is not None,
        },
    }
    return render(request, "observatory/map.html", context)


@access("public")
def grid_data(request: HttpRequest) -> HttpResponse:
    """One tile per département (or région): open among the obliged, filterable by kind or technology."""
    parts = public_parts(request)
    if parts is None:
        return _grid_data(request)
    return figures.cached_page("map-grid", request, parts, lambda: _grid_data(request))


def _grid_data(request: HttpRequest) -> JsonResponse:
    level = request.GET.get("niveau", "departement")
    kind = request.GET.get("kind", "")
    technology = request.GET.get("technologie", "")
    if level not in geo.LEVELS or (kind and kind not in KIND_FILTERS):
        return JsonResponse({"error": "niveau ou type inconnu"}, status=400)
    try:
        scope = scope_from_request(request)
        snapshot = pick_snapshot(scope.day)
    except (CriteriaError, IndicatorError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    figures = _all_perimeters(snapshot)
    prefix = "D:" if level == "departement" else "R:"
    cells = []
    for cell in geo.grid_cells(level):
        data = figures.get(prefix + cell["code"])
        obliged = open_obliged = open_all = 0
        if data is not None:
            if kind:
                row = next(r for r in data["by_kind"] if r["kind"] == kind)
                obliged, open_obliged, open_all = row["obliged"], row["open_obliged"], row["open"]
            else:
                obliged, open_obliged, open_all = data["obliged"], data["open_obliged"], data["open"]
        tech_count = None
        if technology and data is not None:
            tech_count = next((r["open"] for r in data["by_technology"] if r["technology"] == technology), 0)
        query = f"{level}={cell['code']}&date={snapshot.date.isoformat()}"
        cells.append(
            {
                "code": cell["code"],
                "nom": cell["nom"],
                "x": cell["x"],
                "y": cell["y"],
                "obliged": obliged,
                "open_obliged": open_obliged,
                "open": open_all,
                "rate": round(100 * open_obliged / obliged, 1) if obliged else None,
                "technology_open": tech_count,
                "dashboard": reverse("observatory:dashboard") + "?" + query,
                "page": reverse("territories:detail", args=[level, cell["code"]]),
            }
        )
    return JsonResponse(
        {
            "level": level,
            "snapshot": {
                "date": snapshot.date.isoformat(),
                "label": snapshot.label,
                "method": snapshot.method,
            },
            "cells": cells,
        }
    )


@access("public")
def shapes_data(request: HttpRequest) -> JsonResponse:
    """SVG paths of the départements and régions (and the five overseas ones), with their licence."""
    try:
        response = JsonResponse(shapes.shapes())
    except shapes.ShapesUnavailable as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@access("public")
def collectivites_data(request: HttpRequest) -> JsonResponse:
    """The communes and EPCI of one département with their status, for the synced contours layer."""
    departement = request.GET.get("departement", "").upper()
    if not departement:
        return JsonResponse({"error": "indiquez un département (?departement=35)"}, status=400)
    try:
        criteria = build_criteria(departements=[departement])
        scope = scope_from_request(request)
        result = measure(criteria, pick_snapshot(scope.day))
    except (CriteriaError, IndicatorError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    items = []
    for record in result.records:
        if record.kind not in (Kind.COMMUNE, Kind.EPCI):
            continue
        row = row_of(record, result.entries.get(record.id))
        items.append(
            {
                "kind": record.kind,
                "code": record.code,
                "nom": record.nom,
                "population": record.population,
                "obliged": record.obliged,
                "open": row["ouverte"],
                "datasets": row["jeux"],
                "technologies": row["technologies"],
                "url": reverse("territories:detail", args=[record.kind, record.code]),
            }
        )
    return JsonResponse(
        {"departement": departement, "snapshot": result.snapshot.date.isoformat(), "items": items}
    )


@access("public")
def contours(request: HttpRequest, layer: str, departement: str) -> FileResponse:
    path = geo.contours_path(layer, departement)
    if path is None:
        raise Http404("contours non synchronisés (odl geo sync)")
    response = FileResponse(path.open("rb"), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response
