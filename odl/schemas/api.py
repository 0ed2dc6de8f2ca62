"""JSON API of the validator: POST /api/validate and the list of schemas."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from odl.core.spreadsheets import UnreadableFile
from odl.schemas.registry import SchemaNotFound, list_schemas
from odl.schemas.uploads import request_too_large, run_upload, too_large_message

router = Router(tags=["Schémas et validation"])


class ErrorOut(Schema):
    detail: str


class SchemaOut(Schema):
    nom: str
    identifiant: str
    titre: str
    version: str
    versions: list[str]
    origine: str


@router.get("/schemas", response=list[SchemaOut], summary="Schémas disponibles hors ligne")
def schemas(request: HttpRequest) -> list[dict[str, Any]]:
    return list_schemas()


@router.post(
    "/validate",
    response={200: dict[str, Any], 400: ErrorOut, 413: ErrorOut},
    summary="Valide un fichier CSV, XLSX ou ODS contre un schéma",
    description=(
        "Formulaire multipart : `file` (le fichier) et `schema` (nom court comme `subventions`, "
        "`nom@version`, identifiant schema.data.gouv.fr, ou `auto` pour le deviner depuis l'en-tête). "
        "Renvoie le rapport décrit par `odl/schemas/report.schema.json`, plus `id` et `url` du rapport partageable."
    ),
)
def validate_file(
    request: HttpRequest,
    file: UploadedFile = File(...),  # type: ignore[type-arg]  # noqa: B008 - django-ninja declares parameters this way
    schema_spec: str = Form("auto", alias="schema"),  # type: ignore[type-arg]  # noqa: B008
) -> Status[dict[str, Any]]:
    if request_too_large(request):
        return Status(413, {"detail": too_large_message()})
    try:
        run = run_upload(file, schema_spec, request.user)
    except (SchemaNotFound, UnreadableFile) as exc:
        return Status(400, {"detail": str(exc)})
    data = dict(run.report)
    data["id"] = str(run.pk)
    data["url"] = request.build_absolute_uri(reverse("schemas:report", kwargs={"pk": run.pk}))
    data["badge"] = request.build_absolute_uri(reverse("schemas:badge", kwargs={"pk": run.pk}))
    return Status(200, data)
