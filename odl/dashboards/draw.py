"""A chart drawn on the server as SVG geometry for the template (no script: the embed runs none).

The vertical axis goes from the chart's start (zero for bars and areas, by the rules) to its end, with
round ticks; each series (one per method) is its own path, never joined to the next one.
"""

from __future__ import annotations

import math
from typing import Any

from odl.dashboards.figures import Figures, french
from odl.dashboards.models import Breakdown, Chart, Kind, Measure

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 48


def _step(span: float) -> float:
    raw = span / 5 or 1.0
    power = float(10.0 ** math.floor(math.log10(raw)))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _bounds(chart: Chart, values: list[float]) -> tuple[float, float]:
    low = float(chart.y_min) if chart.y_min is not None else min([0.0, *values])
    high = float(chart.y_max) if chart.y_max is not None else max([0.0, *values])
    if high <= low:
        high = low + 1
    return low, high


def geometry(chart: Chart, figures: Figures) -> dict[str, Any] | None:
    """Coordinates of the axis, ticks, bars or paths; None for a table-only chart or without values."""
    if chart.kind == Kind.TABLE:
        return None
    scale = 100.0 if chart.measure == Measure.RATE else 1.0
    # Rows whose date holds no year stay in the figures table, off the time axis: never a point after the
    # last year, joined to the line.
    drawn = [f for f in figures.figures if not (chart.breakdown == Breakdown.YEAR and f.key == "")]
    figures = Figures(figures=drawn, rows=figures.rows, left_out=figures.left_out, methods=figures.methods)
    values = [f.value * scale for f in figures.figures if f.value is not None]
    if not values:
        return None
    low, high = _bounds(chart, values)
    if chart.y_min is None and chart.y_max is None:
        step = _step(high - low)
        high = math.ceil(high / step) * step
        low = math.floor(low / step) * step
    step = _step(high - low)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot_h * (high - value) / (high - low), 2)

    ticks = []
    tick = math.ceil(low / step) * step
    while tick <= high + step / 1000:
        ticks.append({"y": y(tick), "label": french(tick), "text_y": y(tick) + 4})
        tick += step
    keys: list[str] = []
    labels: dict[str, str] = {}
    for f in figures.figures:
        if f.key not in labels:
            keys.append(f.key)
            labels[f.key] = f.label
    slot = plot_w / max(len(keys), 1)
    x_labels = [{"x": round(LEFT + slot * (i + 0.5), 2), "label": labels[k][:18]} for i, k in enumerate(keys)]
    series = figures.series()
    shapes: list[dict[str, Any]] = []
    zero = y(max(low, min(0.0, high)))
    for s_index, (method, items) in enumerate(series):
        css = f"series-{s_index % 4}"
        if chart.kind == Kind.BAR:
            width = slot * 0.8 / max(len(series), 1)
            for f in items:
                if f.value is None:
                    continue
                x = LEFT + slot * keys.index(f.key) + slot * 0.1 + width * s_index
                top = y(f.value * scale)
                shapes.append(
                    {
                        "kind": "rect",
                        "css": css,
                        "x": round(x, 2),
                        "y": min(top, zero),
                        "width": round(width, 2),
                        "height": round(abs(zero - top), 2),
                    }
                )
        else:
            points = [
                (round(LEFT + slot * (keys.index(f.key) + 0.5), 2), y(f.value * scale))
                for f in items
                if f.value is not None
            ]
            if not points:
                continue
            line = " ".join(f"{px},{py}" for px, py in points)
            shape = {"kind": "line", "css": css, "points": line, "dots": points, "method": method}
            if chart.kind == Kind.AREA:
                shape["area"] = f"{points[0][0]},{zero} {line} {points[-1][0]},{zero}"
            shapes.append(shape)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "zero": zero,
        "ticks": ticks,
        "x_labels": x_labels,
        "label_y": HEIGHT - BOTTOM + 18,
        "shapes": shapes,
        "legend": [
            {"css": f"series-{i % 4}", "method": m or "méthode non renseignée"}
            for i, (m, _) in enumerate(series)
        ]
        if len(series) > 1
        else [],
    }
