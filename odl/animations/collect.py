"""Cartopartie support: the collection form taken from a SCDL schema, point checks and exports.

- :func:`form_fields` reads the attributes to ask from the event's SCDL schema (embedded or synced by
  ``odl schemas sync``), leaving out what the platform fills itself (coordinates, the collectivité);
  without a usable schema, a small default shape (type, description) is asked;
- :func:`check_point` refuses, with a French message naming the problem, a point outside the event's
  area (its bounding box), out-of-range coordinates, or text carrying markup or a script: such text is
  never stored, and what is stored is always escaped by the templates and the exports;
- :func:`to_csv`, :func:`to_geojson` and :func:`to_osm` export the accepted points; the ``.osm`` file is
  an OpenStreetMap XML of new nodes (negative ids, no version, ``upload="false"`` so that JOSM warns
  before any upload) that the organiser reviews there before contributing them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from odl.animations.models import CollectedPoint, Event
from odl.core import exports
from odl.schemas.registry import SchemaNotFound, known

MAX_FIELDS = 12
MAX_VALUE = 500
# The platform fills these itself (position) or they name the collectivité, not the point.
_SKIPPED = re.compile(r"(^|_)(LAT|LATITUDE|LONG|LON|LONGITUDE|COLL_NOM|COLL_SIRET|UID|ID)$", re.IGNORECASE)
_MARKUP = re.compile(r"<\s*/?\s*[a-z!?]|javascript:|on[a-z]+\s*=", re.IGNORECASE)


@dataclass
class Field:
    name: str
    label: str
    kind: str = "string"
    choices: list[str] = field(default_factory=list)
    help: str = ""


DEFAULT_FIELDS = [
    Field("type", "Type d'objet", help="par exemple : banc, défibrillateur, arbre remarquable"),
    Field("description", "Description"),
]


def form_fields(schema_name: str) -> tuple[list[Field], str]:
    """The attributes to ask, and where they come from (the schema's title, or « forme simple »)."""
    if schema_name:
        try:
            schema = known(schema_name)
        except SchemaNotFound:
            schema = None
        if schema is not None:
            fields = []
            for spec in schema.table_schema.get("fields", []):
                name = str(spec.get("name", ""))
                if not name or _SKIPPED.search(name) or spec.get("type") in ("geopoint", "geojson"):
                    continue
                choices = [str(v) for v in spec.get("constraints", {}).get("enum", [])]
                kind = (
                    "integer"
                    if spec.get("type") == "integer"
                    else "number"
                    if spec.get("type") == "number"
                    else "string"
                )
                label = schema.labels.get(name) or str(spec.get("title") or spec.get("description") or name)
                fields.append(Field(name, label[:120], kind, choices, schema.examples.get(name, "")[:80]))
                if len(fields) >= MAX_FIELDS:
                    break
            if fields:
                return fields, f"schéma SCDL « {schema.title} » ({schema.version})"
    return DEFAULT_FIELDS, "forme simple (aucun schéma SCDL disponible)"


class PointProblem(ValueError):
    """A point that cannot be stored as sent; the message is in French, for the participant."""


def has_markup(text: str) -> bool:
    return bool(_MARKUP.search(text))


def _number(value: Any, what: str) -> float:
    try:
        number = float(str(value).replace(",", ".").strip())
    except (TypeError, ValueError):
        raise PointProblem(f"La {what} « {str(value)[:30]} » n'est pas un nombre.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise PointProblem(f"La {what} n'est pas un nombre.")
    return number


@dataclass
class CheckedPoint:
    name: str
    lat: float
    lon: float
    attributes: dict[str, str]


def check_point(event: Event, data: dict[str, Any], fields: Sequence[Field]) -> CheckedPoint:
    """The point as it will be stored, or PointProblem with what is wrong and where."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise PointProblem("Donnez un nom au point (champ « Nom »).")
    if len(name) > 200:
        raise PointProblem("Le nom du point dépasse 200 caractères.")
    if has_markup(name):
        raise PointProblem(
            "Le nom du point contient du code (balise HTML ou script) : écrivez-le en texte simple, "
            "sans « < » ni « > »."
        )
    lat = _number(data.get("lat"), "latitude")
    lon = _number(data.get("lon"), "longitude")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise PointProblem(f"Coordonnées impossibles : latitude {lat}, longitude {lon}.")
    if event.has_area:
        assert event.south is not None and event.north is not None
        assert event.west is not None and event.east is not None
        if not (event.south <= lat <= event.north and event.west <= lon <= event.east):
            raise PointProblem(
                f"Ce point (latitude {lat:.5f}, longitude {lon:.5f}) est en dehors de la zone de la "
                f"cartopartie (latitudes {event.south} à {event.north}, longitudes {event.west} à "
                f"{event.east}). Déplacez-le dans la zone."
            )
    attributes: dict[str, str] = {}
    for spec in fields:
        value = str(data.get(f"attr_{spec.name}") or "").strip()[:MAX_VALUE]
        if not value:
            continue
        if has_markup(value):
            raise PointProblem(f"Le champ « {spec.label} » contient du code (balise HTML ou script).")
        if spec.choices and value not in spec.choices:
            raise PointProblem(f"Le champ « {spec.label} » doit prendre une des valeurs proposées.")
        if spec.kind in ("integer", "number"):
            _number(value, f"valeur du champ « {spec.label} »")
        attributes[spec.name] = value
    return CheckedPoint(name, round(lat, 7), round(lon, 7), attributes)


def store(
    event: Event, point: CheckedPoint, client_id: str, contributor: str = ""
) -> tuple[CollectedPoint, bool]:
    """One point per ``client_id``: a point re-sent after a lost connection is stored once."""
    return CollectedPoint.objects.get_or_create(
        event=event,
        client_id=client_id[:64],
        defaults={
            "name": point.name,
            "lat": point.lat,
            "lon": point.lon,
            "attributes": point.attributes,
            "contributor": contributor[:100],
        },
    )


# --- Exports -------------------------------------------------------------------------------------------


def _columns(points: Sequence[CollectedPoint]) -> list[str]:
    names: list[str] = []
    for point in points:
        for key in point.attributes:
            if key not in names:
                names.append(key)
    return names


def to_csv(points: Sequence[CollectedPoint]) -> bytes:
    extra = _columns(points)
    header = ["nom", "latitude", "longitude", *extra, "statut", "ajouté le"]
    rows = [
        [
            p.name,
            p.lat,
            p.lon,
            *[p.attributes.get(k, "") for k in extra],
            p.get_status_display(),
            p.created_at.isoformat(),
        ]
        for p in points
    ]
    return exports.to_csv(header, rows, delimiter=",")


def to_geojson(points: Iterable[CollectedPoint]) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {"nom": p.name, **p.attributes, "statut": p.status},
        }
        for p in points
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def to_osm(points: Iterable[CollectedPoint]) -> bytes:
    """New nodes for JOSM: negative ids, ``name`` and attributes as tags (keys lowercased); JOSM asks before uploading."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="OpenDataLocale" upload="false">',
    ]
    for index, point in enumerate(points, start=1):
        lines.append(
            f'  <node id="-{index}" action="modify" visible="true" lat="{point.lat:.7f}" lon="{point.lon:.7f}">'
        )
        tags = {"name": point.name, **{k.lower(): v for k, v in point.attributes.items()}}
        for key, value in tags.items():
            lines.append(f"    <tag k={quoteattr(key[:255])} v={quoteattr(str(value)[:255])}/>")
        lines.append("  </node>")
    lines.append("</osm>")
    return ("\n".join(lines) + "\n").encode()
