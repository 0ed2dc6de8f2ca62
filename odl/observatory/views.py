"""Public pages of the measurement: dashboard per perimeter, lists with exports, raw rows, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render

from odl.core import exports, figures
from odl.core.access import access
from odl.observatory.history import previous_snapshot
from odl.observatory.indicators import (
    EXPORT_COLUMNS,
    IndicatorError,
    Measure,
    dashboard_figures,
    measure,
    pick_snapshot,
)
from odl.observatory.models import Snapshot, SnapshotEntry, snapshots_version
from odl.territories.models import Kind, Perimeter, Territory, referentiel_version
from odl.territories.targeting import Criteria, CriteriaError, build_criteria

LISTS = {
    "ouvertes": ("open", "Collectivités obligées ouvertes"),
    "non-ouvertes": ("closed", "Collectivités obligées pas encore ouvertes"),
    "nouvelles": ("new", "Collectivités ouvertes depuis l'instantané précédent"),
    "perdues": ("lost", "Collectivités qui ne publient plus depuis l'instantané précédent"),
    "toutes-ouvertes": ("all_open", "Toutes les collectivités ouvertes (obligées ou non)"),
}
ENTRY_COLUMNS = [
    "siren",
    "nom",
    "organisation_type",
    "territoire_kind",
    "territoire_code",
    "region",
    "departement",
    "ouverte",
    "jeux",
    "plateformes",
    "technologies",
    "schemas_scdl",
    "ressources_scdl",
    "ressources_scdl_controlees",
    "ressources_scdl_valides",
    "pour_le_compte_de",
    "population_source",
    "rapprochement",
]
PAGE_SIZE = 100


@dataclass
class Scope:
    """The perimeter and date a page shows, read from the query string."""

    criteria: Criteria
    label: str
    query: str
    day: dt.date | None
    perimeter: Perimeter | None = None


def scope_from_request(request: HttpRequest) -> Scope:
    params = request.GET
    perimeter = None
    slug = params.get("perimetre", "").strip()
    if slug:
        perimeter = Perimeter.objects.filter(slug=slug).first()
        if perimeter is None:
            raise CriteriaError(f"Périmètre enregistré inconnu : « {slug} ».")
        criteria = perimeter.criteria()
    else:
        criteria = build_criteria(
            regions=params.getlist("region"),
            departements=params.getlist("departement"),
            epcis=params.getlist("epci"),
        )
    day = None
    if params.get("date"):
        try:
            day = dt.date.fromisoformat(params["date"])
        except ValueError as exc:
            raise CriteriaError(f"Date « {params['date']} » invalide : attendu AAAA-MM-JJ.") from exc
    pairs: list[tuple[str, str]] = []
    if perimeter is not None:
        pairs.append(("perimetre", perimeter.slug))
        label = perimeter.name
    else:
        pairs += [("region", c) for c in criteria.regions]
        pairs += [("departement", c) for c in criteria.departements]
        pairs += [("epci", c) for c in criteria.epcis]
        label = perimeter_label(criteria)
    if day is not None:
        pairs.append(("date", day.isoformat()))
    return Scope(criteria, label, urlencode(pairs), day, perimeter)


def perimeter_label(criteria: Criteria) -> str:
    if not criteria.has_perimeter:
        return "France"
    names = []
    for kind, codes in (
        (Kind.REGION, criteria.regions),
        (Kind.DEPARTEMENT, criteria.departements),
        (Kind.EPCI, criteria.epcis),
    ):
        names += [t.nom for t in Territory.objects.filter(kind=kind, code__in=codes).order_by("code")]
    return ", ".join(names)


def _error(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "observatory/error.html", {"message": message}, status=status)


def _measure(scope: Scope) -> Measure:
    snapshot = pick_snapshot(scope.day)
    return measure(scope.criteria, snapshot, scope.label)


def public_parts(request: HttpRequest) -> tuple[Any, ...] | None:
    """What an observatory page depends on besides its address, for ``figures.cached_page``; None for a
    saved perimeter (its criteria live in the database), which is then rendered each time."""
    if "perimetre" in request.GET:
        return None
    return (snapshots_version(), referentiel_version())


def _cached(namespace: str, request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    parts = public_parts(request)
    if parts is None:
        return render()
    return figures.cached_page(namespace, request, parts, render)


@access("public")
def dashboard(request: HttpRequest) -> HttpResponse:
    # Kept whole for visitors without a session (the same page for all of them); rendered otherwise.
    return _cached("dashboard", request, lambda: _dashboard(request))


def _dashboard(request: HttpRequest) -> HttpResponse:
    try:
        scope = scope_from_request(request)
        snapshot = pick_snapshot(scope.day)
    except CriteriaError as exc:
        return _error(request, str(exc))
    except IndicatorError as exc:
        # No snapshot yet is the normal state of a new install, not an error: say what to do.
        return _error(request, str(exc), status=200 if not Snapshot.objects.exists() else 400)
    # The figures come from the cache after the first visit of a perimeter (they never change for a
    # snapshot); the page around them (menus, links) is rendered for each visitor.
    data, points = dashboard_figures(scope.criteria, snapshot, scope.label)
    context = {
        "scope": scope,
        "data": data,
        "snapshot": snapshot,
        "previous": previous_snapshot(snapshot),
        "points": points,
        "chart": {
            "labels": [p["snapshot"]["date"] for p in points],
            "origins": [p["snapshot"]["origin"] for p in points],
            "open": [p["open"] for p in points],
            "open_obliged": [p["open_obliged"] for p in points],
            "rate": [p["rate_obliged"] for p in points],
        },
        "snapshots": Snapshot.objects.order_by("-date", "-created_at"),
        "regions": Territory.objects.filter(kind=Kind.REGION, active=True).order_by("nom"),
        "departements": Territory.objects.filter(kind=Kind.DEPARTEMENT, active=True).order_by("code"),
        "rows_query": _with_snapshot(scope.query, snapshot),
    }
    return render(request, "observatory/dashboard.html", context)


def _with_snapshot(query: str, snapshot: Snapshot) -> str:
    """Links behind figures pin the snapshot date, so they keep showing the same rows later."""
    params = QueryDict(query, mutable=True)
    params["date"] = snapshot.date.isoformat()
    return params.urlencode()


@access("public")
def collectivite_list(request: HttpRequest, which: str) -> HttpResponse:
    if which not in LISTS:
        raise Http404("liste inconnue")
    try:
        scope = scope_from_request(request)
        result = _measure(scope)
    except (CriteriaError, IndicatorError) as exc:
        return _error(request, str(exc))
    key, title = LISTS[which]
    rows = result.rows(key)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "scope": scope,
        "which": which,
        "title": title,
        "rows": rows,
        "page": page,
        "snapshot": result.snapshot,
        "previous": result.previous,
        "data": result.as_dict(),
        "rows_query": _with_snapshot(scope.query, result.snapshot),
    }
    return render(request, "observatory/list.html", context)


@access("public")
def collectivite_list_export(request: HttpRequest, which: str, fmt: str) -> HttpResponse:
    if which not in LISTS or fmt not in ("csv", "xlsx", "ods"):
        raise Http404("liste ou format inconnu")
    try:
        scope = scope_from_request(request)
        result = _measure(scope)
    except (CriteriaError, IndicatorError) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    rows = result.rows(LISTS[which][0])
    data = exports.render(fmt, EXPORT_COLUMNS, ([row[c] for c in EXPORT_COLUMNS] for row in rows))
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    name = f"observatoire-{which}-{result.snapshot.date.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@access("public")
def snapshot_list(request: HttpRequest) -> HttpResponse:
    snapshots = Snapshot.objects.order_by("-date", "-created_at").annotate(
        open_count=Count("entries", filter=Q(entries__is_open=True, entries__territory__isnull=False)),
        others_count=Count("entries", filter=Q(entries__is_open=True, entries__territory__isnull=True)),
    )
    return render(request, "observatory/snapshots.html", {"snapshots": snapshots})


@access("public")
def snapshot_rows(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The raw rows of a snapshot behind every figure, optionally cut to a perimeter."""
    if fmt not in ("csv", "xlsx", "ods"):
        raise Http404("format inconnu")
    snapshot = get_object_or_404(Snapshot, pk=pk)
    try:
        scope = scope_from_request(request)
    except CriteriaError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    entries = SnapshotEntry.objects.filter(snapshot=snapshot).select_related("territory").order_by("siren")
    if scope.criteria.has_perimeter or scope.criteria.kinds:
        ids = {r.id for r in measure(scope.criteria, snapshot).records}
        entries = entries.filter(territory_id__in=ids)
    data = exports.render(fmt, ENTRY_COLUMNS, (_entry_row(e) for e in entries.iterator(chunk_size=2000)))
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="observatoire-instantane-{snapshot.date.isoformat()}-{snapshot.origin}.{fmt}"'
    )
    return response


def _entry_row(entry: SnapshotEntry) -> list[Any]:
    territory = entry.territory
    return [
        entry.siren,
        entry.nom,
        entry.organisation_type,
        territory.kind if territory else "",
        territory.code if territory else "",
        entry.region_code,
        entry.departement_code,
        entry.is_open,
        entry.datasets_count,
        ", ".join(entry.platforms),
        ", ".join(entry.technologies),
        ", ".join(entry.schemas),
        entry.scdl_resources,
        entry.scdl_checked,
        entry.scdl_valid,
        ", ".join(entry.on_behalf_of),
        entry.population,
        entry.match_method,
    ]
