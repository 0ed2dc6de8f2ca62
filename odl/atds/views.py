"""The public ATD network (map, table, coverage of the obliged) and the pages that create and edit an ATD."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from odl.atds.forms import AtdForm
from odl.atds.models import Atd
from odl.atds.network import coverage, network_atds
from odl.core import exports
from odl.core.access import access
from odl.territories.models import Kind
from odl.territories.targeting import EXPORT_COLUMNS

EXPORT_FORMATS = ("csv", "xlsx", "ods")
REGIONS = "regions"


@access("public")
def network(request: HttpRequest) -> HttpResponse:
    atds = list(network_atds())
    result = coverage(atds)
    return render(
        request,
        "atds/network.html",
        {
            "atds": atds,
            "coverage": result,
            "can_create": request.user.is_authenticated and request.user.is_staff,
        },
    )


def _uncovered(departement: str) -> tuple[str, list[dict[str, Any]]]:
    result = coverage()
    # Régions have no département: their row of the coverage table is addressed as "regions".
    code = "" if departement == REGIONS else departement
    entry = next((d for d in result.departements if d.code == code), None)
    if entry is None:
        raise Http404("département inconnu")
    rows = [
        r for r in result.uncovered_rows if (r["departement"] if r["kind"] != Kind.REGION else "") == code
    ]
    return entry.nom, rows


@access("public")
def uncovered(request: HttpRequest, departement: str) -> HttpResponse:
    nom, rows = _uncovered(departement)
    return render(
        request,
        "atds/uncovered.html",
        {"departement": departement, "nom": nom, "rows": rows, "formats": EXPORT_FORMATS},
    )


@access("public")
def uncovered_export(request: HttpRequest, departement: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("format inconnu")
    _, rows = _uncovered(departement)
    data = exports.render(fmt, EXPORT_COLUMNS, [[r[c] for c in EXPORT_COLUMNS] for r in rows])
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="obligees-sans-atd-{departement}.{fmt}"'
    return response


@access("public")
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    atd = get_object_or_404(Atd.objects.select_related("structure").prefetch_related("areas"), slug=slug)
    areas = list(atd.areas.all())
    return render(
        request,
        "atds/detail.html",
        {
            "atd": atd,
            "regions": [t for t in areas if t.kind == Kind.REGION],
            "departements": [t for t in areas if t.kind == Kind.DEPARTEMENT],
            "epcis": [t for t in areas if t.kind == Kind.EPCI],
            "others": [t for t in areas if t.kind not in (Kind.REGION, Kind.DEPARTEMENT, Kind.EPCI)],
            "etd_count": atd.etds.count(),
            "can_edit": request.user.is_authenticated
            and Atd.objects.administered_by(request.user).filter(pk=atd.pk).exists(),
        },
    )


@access("coordinator")
def create(request: HttpRequest) -> HttpResponse:
    form = AtdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        atd = form.save()
        messages.success(request, f"L'ATD « {atd.name} » est créé.")
        return redirect(atd)
    return render(request, "atds/form.html", {"form": form, "atd": None}, status=400 if form.errors else 200)


@access("atd_admin")
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    form = AtdForm(request.POST or None, user=request.user, atd=atd)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"L'ATD « {atd.name} » est enregistré.")
        return redirect(atd)
    return render(request, "atds/form.html", {"form": form, "atd": atd}, status=400 if form.errors else 200)
