"""Views of the programme: the ATD's dashboard, its yearly activity report, the national coordination."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone

from odl.accounts.access import access
from odl.atds.models import Atd
from odl.core import exports, hooks
from odl.core.documents import PdfUnavailable, pdf_available
from odl.observatory import geo
from odl.programme import dashboard, report
from odl.programme.models import Etd

EXPORT_FORMATS = ("csv", "xlsx", "ods")
# The programme started on the platform long after 2000; anything earlier is a typing mistake.
FIRST_YEAR = 2000


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "programme/dashboards/error.html", {"message": message}, status=status)


def _report_years(atd: Atd) -> list[int]:
    this_year = timezone.localdate().year
    first = Etd.objects.filter(atd=atd).order_by("created_at").values_list("created_at", flat=True).first()
    start = first.year if first else this_year
    return list(range(this_year, max(start, FIRST_YEAR) - 1, -1))


@access("atd_staff")
def atd_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    etds = Etd.objects.filter(atd=atd)
    steps = dashboard.funnel(etds)
    rate = dashboard.open_rate(atd)
    publication = dashboard.publication(atd)
    synced = geo.manifest() is not None
    context: dict[str, Any] = {
        "atd": atd,
        "now": timezone.now(),
        "steps": steps,
        "etd_total": sum(row["count"] for row in steps),
        "overdue": [(c, dashboard.etd_url(c.etd)) for c in dashboard.overdue_commitments(atd)],
        "meetings": dashboard.next_meetings(atd),
        # Blocks of the apps above the programme (follow-ups to answer, open campaigns…): odl/core/hooks.py.
        "panels": hooks.collect("atd_dashboard_panels", atd),
        "publication": publication,
        "contours_synced": synced,
        "etd_map": dashboard.map_payload(atd, publication, synced),
        "map_method": dashboard.MAP_METHOD,
        "rate": rate,
        "snapshot": rate.snapshot,
        "rows_query": rate.rows_query,
        "programme_source": dashboard.PROGRAMME_SOURCE,
        "funnel_method": dashboard.FUNNEL_METHOD,
        "overdue_method": dashboard.OVERDUE_METHOD,
        "rate_method": dashboard.RATE_METHOD,
        "years": _report_years(atd),
        "pdf_available": pdf_available(),
        "chart": {
            "steps": {"labels": [row["label"] for row in steps], "counts": [row["count"] for row in steps]},
            "rate": {
                "labels": [p["snapshot"]["date"] for p in rate.points],
                "rate": [p["rate_obliged"] for p in rate.points],
            },
        },
    }
    return render(request, "programme/dashboards/atd.html", context)


@access("atd_staff")
def activity_report(request: HttpRequest, slug: str, year: int, fmt: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    if fmt not in ("odt", "pdf"):
        return _error(request, f"Format « {fmt} » inconnu : le rapport existe en .odt et en .pdf.", 404)
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= this_year:
        return _error(
            request, f"Année « {year} » impossible : choisissez une année de {FIRST_YEAR} à {this_year}.", 404
        )
    figures = dashboard.year_figures(atd, year)
    try:
        data = report.build_pdf(figures) if fmt == "pdf" else report.build_odt(figures)
    except PdfUnavailable as exc:
        return _error(
            request,
            f"Le rapport en PDF n'est pas disponible : {exc} Téléchargez la version ODT, qui s'ouvre avec "
            "LibreOffice ou Word et s'exporte en PDF.",
            503,
        )
    content_type = "application/pdf" if fmt == "pdf" else "application/vnd.oasis.opendocument.text"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="rapport-{atd.slug}-{year}.{fmt}"'
    return response


def _coordination(request: HttpRequest) -> tuple[dashboard.Coordination, str]:
    result = dashboard.coordination(Atd.objects.select_related("structure").order_by("name"))
    sort = request.GET.get("tri", "")
    dashboard.sort_rows(result.rows, sort)
    return result, sort if sort.lstrip("-") in dashboard.COORDINATION_SORTS else ""


@access("coordinator")
def coordination(request: HttpRequest) -> HttpResponse:
    result, sort = _coordination(request)
    columns = [
        {
            "key": key,
            "label": label,
            "sort": (f"-{key}" if sort == key else key),
            "aria_sort": "ascending" if sort == key else "descending" if sort == f"-{key}" else "",
        }
        for key, label in dashboard.COORDINATION_COLUMNS
    ]
    context = {
        "result": result,
        "rows": [
            {"atd": row["atd"], "cells": [row[k] for k, _ in dashboard.COORDINATION_COLUMNS]}
            for row in result.rows
        ],
        "columns": columns,
        "sort": sort,
        "snapshot": result.snapshot,
        "programme_source": dashboard.PROGRAMME_SOURCE,
        "recent_days": dashboard.RECENT_MEETINGS_DAYS,
        "now": timezone.now(),
    }
    return render(request, "programme/dashboards/coordination.html", context)


@access("coordinator")
def coordination_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        return _error(request, f"Format « {fmt} » inconnu : exports en CSV, XLSX ou ODS.", 404)
    result, _ = _coordination(request)
    header = [label for _, label in dashboard.COORDINATION_COLUMNS]
    rows = ([row[key] for key, _ in dashboard.COORDINATION_COLUMNS] for row in result.rows)
    response = HttpResponse(exports.render(fmt, header, rows), content_type=exports.CONTENT_TYPES[fmt])
    day = timezone.localdate().isoformat()  # the day in France, as the file is named for its readers
    response["Content-Disposition"] = f'attachment; filename="coordination-atd-{day}.{fmt}"'
    return response


urlpatterns: list[URLPattern | URLResolver] = [
    path("suivi/<slug:slug>/tableau-de-bord/", atd_dashboard, name="dashboard"),
    path("suivi/<slug:slug>/rapport/<int:year>.<str:fmt>", activity_report, name="report"),
    path("coordination/", coordination, name="coordination"),
    path("coordination/export.<str:fmt>", coordination_export, name="coordination_export"),
]
