"""The grid of the data space: many rows edited at once, pasted from a spreadsheet, checked and published.

The page (``grid_page``) opens the latest version's rows in Tabulator (``odl/static/odl/publishing-grid.js``).
The grid sends the whole table as JSON: ``grid_check`` runs the validation engine with its safe fixes and
answers the errors by row and column, for the cells; ``grid_save`` does the same and publishes a new
version through ``versions.publish``, the function the import and the row form publish with (diff, author,
« publié par l'ATD pour le compte de »). Nothing is published when the table was refused, when errors are
left without « Publier quand même », or when another version was published since the grid was opened.

Limits: ``MAX_ROWS`` rows and ``MAX_BODY_BYTES`` per request, refused in French (413) before the body is
read; beyond, the import of a file is the way.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from odl.accounts.access import access
from odl.core.middleware import declared_length
from odl.publishing import services, versions
from odl.publishing.models import Dataset
from odl.publishing.views import SPACE, _context, _dataset
from odl.schemas.registry import Schema

# Rows one grid holds and saves; a larger table goes through the import of a file (CSV, XLSX, ODS).
MAX_ROWS = 20_000
# A request of the grid: 20,000 rows of a wide schema fit well within it.
MAX_BODY_BYTES = 24 * 1024 * 1024
MAX_CELL_CHARS = 10_000
# Errors the engine lists per kind of error (its counts stay exact): enough to mark the cells one sees.
LISTED_PER_GROUP = 500
LISTED_ERRORS = 2_000


class Refused(Exception):
    """The table sent by the grid cannot be read; a French message and the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def too_many_rows(count: int) -> str:
    return (
        f"La grille accepte au plus {MAX_ROWS:,} lignes ; ce tableau en compte {count:,}. "
        "Pour un tableau de cette taille, importez-le comme fichier (CSV, XLSX ou ODS) depuis la page "
        "du jeu : rien n'a été modifié."
    ).replace(",", "\u202f")


def fields_of(schema: Schema) -> list[dict[str, Any]]:
    """What the grid needs of each column: name, French label, type, required, the allowed values."""
    out = []
    for f in schema.table_schema.get("fields", []):
        constraints = f.get("constraints", {})
        enum = constraints.get("enum")
        if f.get("type") == "boolean" and not enum:
            enum = list(f.get("trueValues", ["true"]))[:1] + list(f.get("falseValues", ["false"]))[:1]
        out.append(
            {
                "name": f["name"],
                "label": schema.labels.get(f["name"], f.get("title") or f["name"]),
                "type": f.get("type", "string"),
                "required": bool(constraints.get("required")),
                "enum": [str(v) for v in enum] if enum else [],
                "example": str(f.get("example", ""))[:200],
            }
        )
    return out


def read_payload(request: HttpRequest, width: int) -> tuple[list[list[str]], dict[str, Any]]:
    """The rows sent by the grid, each of ``width`` text cells. Raises Refused (French)."""
    if declared_length(request) > MAX_BODY_BYTES:
        raise Refused(
            f"Le tableau envoyé dépasse {MAX_BODY_BYTES // (1024 * 1024)} Mo : importez-le comme fichier "
            "depuis la page du jeu. Rien n'a été modifié.",
            413,
        )
    # Read from the stream with a cap: Django's request.body stops at 5 MB, the grid goes further.
    raw = request.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise Refused("Le tableau envoyé est trop volumineux : importez-le comme fichier.", 413)
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("Le tableau envoyé est illisible (JSON attendu) : rechargez la page.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("rows"), list):
        raise Refused("Le tableau envoyé est illisible : la liste des lignes manque.")
    rows = payload["rows"]
    if len(rows) > MAX_ROWS:
        raise Refused(too_many_rows(len(rows)), 413)
    table: list[list[str]] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) > width:
            raise Refused(f"Ligne {number} : elle doit avoir au plus {width} cellules, une par colonne.")
        cells = []
        for cell in row:
            if cell is None:
                cells.append("")
            elif isinstance(cell, str | int | float) and not isinstance(cell, bool):
                text = str(cell)
                if len(text) > MAX_CELL_CHARS or "\x00" in text:
                    raise Refused(
                        f"Ligne {number} : une cellule dépasse {MAX_CELL_CHARS} caractères ou contient "
                        "un caractère nul."
                    )
                cells.append(text)
            else:
                raise Refused(f"Ligne {number} : une cellule n'est pas du texte.")
        table.append(cells + [""] * (width - len(cells)))
    return table, payload


def _filled(rows: list[list[str]]) -> list[int]:
    """Positions of the rows that hold something: an empty row of the grid is not published."""
    return [i for i, row in enumerate(rows) if any(c.strip() for c in row)]


def check(dataset: Dataset, rows: list[list[str]]) -> tuple[bytes, Any, dict[str, Any]]:
    """Validate with the engine and its safe fixes: (corrected CSV, result, the answer for the grid)."""
    schema = services.schema_of(dataset)
    kept = _filled(rows)
    table = versions.Table(schema.field_names, [rows[i] for i in kept])
    data, first = services.validate_table(dataset, table, keep_per_group=LISTED_PER_GROUP)
    # What is published is the corrected copy: its own check says what is left for the user to fix.
    result = services.validate_table(dataset, versions.parse_csv(data), keep_per_group=LISTED_PER_GROUP)[1]
    errors = []
    general = []
    for detail in result.details[:LISTED_ERRORS]:
        line = detail.get("ligne")
        message = str(detail.get("message", ""))
        column = detail.get("colonne") or ""
        # The engine counts the header as line 1.
        if isinstance(line, int) and 2 <= line < len(kept) + 2:
            errors.append({"row": kept[line - 2], "field": column, "message": message})
        else:
            general.append(message if not column else f"{column} : {message}")
    answer = {
        "valid": result.valid,
        "rows": len(kept),
        "empty_rows": len(rows) - len(kept),
        "errors_total": result.errors,
        "warnings_total": result.warnings,
        "errors": errors,
        "general": general,
        "listed_all": len(errors) + len(general) >= result.errors,
        "corrections_total": first.corrections_total,
    }
    return data, result, answer


def _refusal(exc: Refused) -> JsonResponse:
    return JsonResponse({"refused": str(exc)}, status=exc.status)


@access("etd")
def grid_page(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    schema = services.schema_of(dataset)
    latest = dataset.latest
    table = versions.read_version(latest) if latest else versions.Table(schema.field_names, [])
    too_big = len(table.rows) > MAX_ROWS
    rows: list[tuple[str, ...]] = [] if too_big else versions._aligned(table, schema.field_names)
    args = [slug, etd, pk]
    config = {
        "fields": fields_of(schema),
        "base": latest.number if latest else 0,
        "maxRows": MAX_ROWS,
        "maxRowsMessage": too_many_rows(0).split(" ; ")[0] + ".",
        "defaults": services.defaults_for(dataset, schema),
        "checkUrl": reverse("publishing:grid_check", args=args),
        "saveUrl": reverse("publishing:grid_save", args=args),
    }
    return render(
        request,
        "publishing/grid.html",
        _context(
            request,
            dataset,
            config=config,
            rows=[list(r) for r in rows],
            count=len(table.rows),
            too_big=too_big,
            max_rows=MAX_ROWS,
            latest=latest,
        ),
    )


@access("etd")
@require_POST
def grid_check(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    schema = services.schema_of(dataset)
    try:
        rows, _payload = read_payload(request, len(schema.field_names))
    except Refused as exc:
        return _refusal(exc)
    return JsonResponse(check(dataset, rows)[2])


@access("etd")
@require_POST
def grid_save(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    schema = services.schema_of(dataset)
    try:
        rows, payload = read_payload(request, len(schema.field_names))
    except Refused as exc:
        return _refusal(exc)
    base = payload.get("base")
    with transaction.atomic():
        # The dataset's row is locked until the version is written: two saves never publish over each other.
        locked = Dataset.objects.select_for_update(of=("self",)).select_related("latest").get(pk=dataset.pk)
        current = locked.latest.number if locked.latest else 0
        if base != current:
            return JsonResponse(
                {
                    "refused": f"La version {current} a été publiée depuis l'ouverture de la grille (qui "
                    f"montrait la version {base}) : rien n'a été enregistré. Copiez vos changements, "
                    "rechargez la page et recommencez."
                },
                status=409,
            )
        if not _filled(rows):
            return JsonResponse({"refused": "La grille est vide : il n'y a rien à publier."}, status=400)
        data, result, answer = check(dataset, rows)
        if result.errors and payload.get("publish_anyway") is not True:
            return JsonResponse({**answer, "published": False}, status=422)
        note = f"modification dans la grille ({answer['rows']} lignes)"
        version = versions.publish(
            dataset,
            data,
            schema,
            by=request.user,
            valid=result.valid,
            errors=result.errors,
            warnings=result.warnings,
            note=note,
        )
    url = reverse("publishing:version", args=[slug, etd, pk, version.number])
    message = f"Version {version.number} publiée depuis la grille : {version.rows} lignes."
    messages.success(request, message)
    return JsonResponse(
        {**answer, "published": True, "number": version.number, "url": url, "message": message}
    )


urlpatterns: list[URLPattern] = [
    path(f"{SPACE}<int:pk>/grille/", grid_page, name="grid"),
    path(f"{SPACE}<int:pk>/grille/verifier/", grid_check, name="grid_check"),
    path(f"{SPACE}<int:pk>/grille/enregistrer/", grid_save, name="grid_save"),
]
