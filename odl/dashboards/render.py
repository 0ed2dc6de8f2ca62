"""What a page shows of a chart: its source, date, method, figures with n, raw-row links, its drawing,
and — when a rule refuses it or its source cannot be read — the French reason instead of the drawing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from odl.dashboards import draw, rules, sources
from odl.dashboards.figures import Figures, FiguresRefused, figures_of, french, shown
from odl.dashboards.models import Chart, Dashboard, Measure


def site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def measure_label(chart: Chart) -> str:
    if chart.measure == Measure.COUNT:
        return "Nombre de lignes"
    if chart.measure == Measure.SUM:
        return f"Somme de « {chart.value_column} »"
    if chart.measure == Measure.MEAN:
        return f"Moyenne de « {chart.value_column} »"
    return f"Taux : « {chart.value_column} » / « {chart.denominator_column} »"


def raw_url(board: Dashboard, chart: Chart, key: str | None = None, method: str | None = None) -> str:
    url = reverse("dashboards:raw", args=[board.slug, chart.pk])
    query = {}
    if key is not None:
        query["valeur"] = key
    if method is not None and chart.method_column:
        query["methode"] = method
    return url + (f"?{urlencode(query)}" if query else "")


def chart_context(board: Dashboard, chart: Chart, absolute: bool = False) -> dict[str, Any]:
    prefix = site() if absolute else ""
    context: dict[str, Any] = {
        "chart": chart,
        "measure": measure_label(chart),
        "is_rate": chart.measure == Measure.RATE,
        "figures_url": prefix + reverse("dashboards:figures", args=[board.slug, chart.pk]),
        "all_rows_url": prefix + raw_url(board, chart),
        "problem": "",
        "refusals": [],
        "rows": [],
        "svg": None,
        "info": None,
    }
    try:
        context["info"] = sources.info_of(chart)
        result = figures_of(chart)
    except (sources.SourceUnreadable, FiguresRefused) as exc:
        context["problem"] = str(exc)
        return context
    context["refusals"] = rules.refusals(chart, result)
    context["result"] = result
    context["left_out"] = result.left_out
    context["rows"] = rows_of(board, chart, result, prefix)
    context["several_methods"] = len(result.methods) > 1
    if not context["refusals"]:
        context["svg"] = draw.geometry(chart, result)
    return context


def rows_of(board: Dashboard, chart: Chart, result: Figures, prefix: str = "") -> list[dict[str, Any]]:
    return [
        {
            "label": f.label,
            "method": f.method,
            "value": shown(chart, f),
            "n": french(float(f.n), 0),
            "numerator": french(f.numerator),
            "denominator": french(f.denominator),
            "raw_url": prefix + raw_url(board, chart, f.key, f.method),
        }
        for f in result.figures
    ]


def figures_table(chart: Chart, result: Figures) -> tuple[list[str], list[list[Any]]]:
    """The figures export: one line per figure with its n, method and source."""
    info = sources.info_of(chart)
    header = [chart.breakdown_column, "méthode", measure_label(chart), "n"]
    if chart.measure == Measure.RATE:
        header += ["numérateur", "dénominateur"]
    header += ["source", "date de la source", "méthode du graphique", "version de la méthode"]
    lines = []
    for f in result.figures:
        value: Any = (
            "" if f.value is None else round(f.value * (100 if chart.measure == Measure.RATE else 1), 6)
        )
        line: list[Any] = [f.label, f.method or "", value, f.n]
        if chart.measure == Measure.RATE:
            line += [
                "" if f.numerator is None else f.numerator,
                "" if f.denominator is None else f.denominator,
            ]
        line += [info.label, info.date, chart.method, chart.method_version]
        lines.append(line)
    return header, lines
