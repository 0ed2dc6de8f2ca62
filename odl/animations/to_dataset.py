"""A cartopartie's accepted points become a dataset of a collectivité's data space (odl/publishing).

The points go through the data space's own import: a CSV in the shape of the event's SCDL schema (the
attributes the form asked, which are that schema's fields, and the coordinates in the schema's own
latitude/longitude or geopoint fields), then the usual column mapping, validation with its safe fixes and
publication. Nothing is published behind the organiser's back: she lands on the mapping step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from odl.animations.models import CollectedPoint, Event
from odl.core import exports
from odl.programme.models import Etd
from odl.publishing import importing, services
from odl.publishing.models import Dataset, ImportDraft
from odl.schemas.registry import SchemaNotFound, known


class CannotConvert(Exception):
    """The points cannot become a dataset; the message is French."""


def points_csv(points: Sequence[CollectedPoint], schema_name: str) -> bytes:
    """The accepted points as a CSV whose columns are the schema's names where the platform knows them."""
    try:
        where = services.coordinates(known(schema_name))
    except SchemaNotFound:
        where = None
    extra: list[str] = []
    for point in points:
        extra += [k for k in point.attributes if k not in extra]
    if isinstance(where, str):
        coordinates = [where]
    elif where:
        coordinates = list(where)
    else:
        coordinates = ["latitude", "longitude"]
    header = ["nom", *extra, *coordinates]
    rows: list[list[Any]] = []
    for p in points:
        # A Table Schema geopoint's default format is « lon, lat ».
        place = [f"{p.lon}, {p.lat}"] if len(coordinates) == 1 else [p.lat, p.lon]
        rows.append([p.name, *[p.attributes.get(k, "") for k in extra], *place])
    return exports.to_csv(header, rows, delimiter=",")


def start(event: Event, etd: Etd, by: Any) -> ImportDraft:
    """The data space's import of the event's accepted points, for one of the event's collectivités."""
    if not event.collect_schema:
        raise CannotConvert("Cet événement n'a pas de schéma SCDL de collecte : choisissez-en un d'abord.")
    points = list(event.points.filter(status="accepted").order_by("created_at", "pk"))
    if not points:
        raise CannotConvert("Aucun point accepté : acceptez d'abord les points à publier.")
    try:
        schema = known(event.collect_schema)
    except SchemaNotFound as exc:
        raise CannotConvert(f"Le schéma de collecte n'est pas connu de la plateforme : {exc}") from exc
    dataset, _ = Dataset.objects.get_or_create(
        etd=etd,
        schema_name=schema.name,
        title=f"{schema.title} — {event.title}"[:200],
        defaults={
            "description": f"Points relevés lors de « {event.title} » ({event.format}).",
            "created_by": by,
        },
    )
    upload = SimpleUploadedFile(f"cartopartie-{event.pk}.csv", points_csv(points, schema.name), "text/csv")
    try:
        return services.start_import(dataset, upload, by)
    except importing.ImportRefused as exc:
        raise CannotConvert(f"Import impossible : {exc}") from exc
