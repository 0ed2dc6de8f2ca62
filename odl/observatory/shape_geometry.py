"""Polygons, bounding boxes and inner points of the département shapes of ``shapes.py``.

The package ships SVG path data; a map that places markers inside a shape (the programme's ATD dashboard)
needs coordinates instead. Curves are flattened to their end points (the package's paths are almost all
straight segments at one-unit precision, so the outline loses nothing visible at the map's scale).
Coordinates stay in the package's SVG system (x to the right, y downwards). The five overseas
départements are separate drawings in their own small viewBox: they are scaled and set as insets to the
left of metropolitan France, as the package itself shows them beside the map.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from odl.observatory import shapes

Point = tuple[float, float]
Ring = list[Point]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Parameters each command consumes; curves keep only their end point.
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}
# Overseas insets: a column left of metropolitan France (whose drawing spans x and y 0..1010).
INSET_SIZE = 90.0
INSET_ORIGIN = (-140.0, 300.0)


def _arc_params(text: str, position: int) -> tuple[list[float], int]:
    """An arc's seven numbers; its two flags may be written without separators (``a5 5 0 011 2``)."""
    values: list[float] = []
    number = re.compile(r"[\s,]*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")
    flag = re.compile(r"[\s,]*([01])")
    for index in range(7):
        match = (flag if index in (3, 4) else number).match(text, position)
        if match is None:
            raise ValueError(f"arc illisible à la position {position}")
        values.append(float(match.group(1)))
        position = match.end()
    return values, position


def rings(d: str) -> list[Ring]:
    """The closed outlines of an SVG path (``M``/``L``/``H``/``V``/curves/``Z``, absolute or relative)."""
    result: list[Ring] = []
    current: Ring = []
    x = y = start_x = start_y = 0.0
    command = ""
    position = 0
    while True:
        while position < len(d) and d[position] in " ,\n\t":
            position += 1
        if position >= len(d):
            break
        if d[position].isalpha():
            command = d[position]
            position += 1
            if command in "Zz":
                if current:
                    result.append(current)
                current = []
                x, y = start_x, start_y
                continue
        if not command:
            raise ValueError("chemin SVG sans commande initiale")
        lower = command.lower()
        if lower == "a":
            values, position = _arc_params(d, position)
        else:
            values = []
            for _ in range(_ARITY[lower]):
                while position < len(d) and d[position] in " ,\n\t":
                    position += 1
                match = _NUMBER.match(d, position)
                if match is None:
                    raise ValueError(f"nombre attendu à la position {position}")
                values.append(float(match.group(0)))
                position = match.end()
        relative = command.islower()
        if lower == "h":
            x = values[0] + (x if relative else 0.0)
        elif lower == "v":
            y = values[0] + (y if relative else 0.0)
        else:
            end_x, end_y = values[-2], values[-1]
            x, y = (x + end_x, y + end_y) if relative else (end_x, end_y)
        if lower == "m":
            if current:
                result.append(current)
            current = []
            start_x, start_y = x, y
            # Pairs after a moveto are linetos.
            command = "l" if relative else "L"
        current.append((x, y))
    if current:
        result.append(current)
    return [ring for ring in result if len(ring) >= 3]


def bbox(outline: list[Ring]) -> tuple[float, float, float, float]:
    xs = [p[0] for ring in outline for p in ring]
    ys = [p[1] for ring in outline for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def contains(outline: list[Ring], point: Point) -> bool:
    """Even-odd rule over every ring, so islands count and holes do not."""
    px, py = point
    inside = False
    for ring in outline:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def _area_centroid(ring: Ring) -> tuple[float, Point]:
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not area:
        return 0.0, ring[0]
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def _grid_inside(outline: list[Ring], spacing: float) -> list[Point]:
    x0, y0, x1, y1 = bbox(outline)
    points = []
    y = y0 + spacing / 2
    while y < y1:
        x = x0 + spacing / 2
        while x < x1:
            if contains(outline, (x, y)):
                points.append((x, y))
            x += spacing
        y += spacing
    return points


def label_point(outline: list[Ring]) -> Point:
    """The centroid of the largest ring when it falls inside the shape, else the inner point nearest it."""
    area, centroid = max((_area_centroid(ring) for ring in outline), key=lambda item: item[0])
    if contains(outline, centroid):
        return centroid
    spacing = max(math.sqrt(area) / 10, 0.05)
    candidates = _grid_inside(outline, spacing) or [outline[0][0]]
    return min(candidates, key=lambda p: math.dist(p, centroid))


def spread(outline: list[Ring], count: int) -> list[Point]:
    """``count`` distinct points inside the shape, around its label point and spaced to fill it.

    Deterministic: the same shape and count always give the same points, in order of distance from the
    label point (the first ETD sits at the centre, the next ones around it).
    """
    if count <= 0:
        return []
    centre = label_point(outline)
    if count == 1:
        return [centre]
    area = sum(_area_centroid(ring)[0] for ring in outline)
    spacing = math.sqrt(area / count)
    candidates: list[Point] = []
    for _ in range(40):
        candidates = _grid_inside(outline, spacing)
        if len(candidates) >= count:
            break
        spacing *= 0.8
    candidates.sort(key=lambda p: (math.dist(p, centre), p))
    chosen = [centre] + [p for p in candidates if math.dist(p, centre) > spacing / 2][: count - 1]
    # A shape too thin for the grid: the remaining points share the label point rather than leave it.
    return chosen + [centre] * (count - len(chosen))


def _inset(outline: list[Ring], box: str, slot: int) -> list[Ring]:
    """An overseas drawing scaled into a square of the inset column (its own viewBox starts at 0 0)."""
    width, height = (float(v) for v in (box.split()[2:] or ["50", "50"]))
    scale = INSET_SIZE / max(width, height, 1.0)
    ox, oy = INSET_ORIGIN[0], INSET_ORIGIN[1] + slot * (INSET_SIZE + 10)
    return [[(ox + x * scale, oy + y * scale) for x, y in ring] for ring in outline]


@lru_cache(maxsize=1)
def departement_outlines() -> dict[str, list[Ring]]:
    """Every département's rings in one coordinate system (overseas ones as insets); raises ShapesUnavailable."""
    drawn = shapes.shapes()
    result: dict[str, list[Ring]] = {}
    try:
        for code, d in drawn["departements"].items():
            result[code] = rings(d)
        for slot, item in enumerate(drawn["outremer"]):
            result[item["code"]] = _inset(rings(item["d"]), item["viewBox"], slot)
    except ValueError as exc:
        raise shapes.ShapesUnavailable(
            f"Formes des départements illisibles dans {shapes.PACKAGE} {drawn['version']} : {exc}."
        ) from exc
    return {code: outline for code, outline in result.items() if outline}


def rounded(outline: list[Ring]) -> list[list[list[float]]]:
    """Rings as JSON-ready ``[[x, y], …]`` lists, one decimal (a tenth of the package's unit)."""
    return [[[round(x, 1), round(y, 1)] for x, y in ring] for ring in outline]


def source() -> dict[str, Any]:
    drawn = shapes.shapes()
    return {"package": drawn["package"], "version": drawn["version"], "licence": drawn["licence"]}
