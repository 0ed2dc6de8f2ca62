from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from odl.core import exports
from odl.core.access import access
from odl.core.spreadsheets import UnreadableFile
from odl.schemas import jobs
from odl.schemas.fixes import CHANGE_LABELS
from odl.schemas.models import JobStatus, ValidationJob, ValidationRun
from odl.schemas.registry import SchemaNotFound, embedded, known, list_schemas
from odl.schemas.uploads import changes_path, request_too_large, run_upload, too_large_message


def _form_context(error: str = "", chosen: str = "auto") -> dict[str, Any]:
    columns = {name: [c["nom"] for c in own["colonnes"]] for name, own in embedded().items()}
    return {"schemas": list_schemas(), "schema_columns": columns, "error": error, "chosen": chosen}


@access("public")
@require_http_methods(["GET", "POST"])
def validate_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "schemas/validate.html", _form_context())
    if request_too_large(request):
        return render(request, "schemas/validate.html", _form_context(too_large_message()), status=413)
    uploads = request.FILES.getlist("file")
    chosen = request.POST.get("schema", "auto")
    problem = ""
    if not uploads:
        problem = "Choisissez un fichier à valider."
    elif len(uploads) > jobs.MAX_FILES:
        problem = (
            f"{len(uploads)} fichiers envoyés : {jobs.MAX_FILES} au plus à la fois par le site. Pour un "
            "dossier entier, utilisez la commande « odl validate DOSSIER »."
        )
    if problem:
        return render(request, "schemas/validate.html", _form_context(problem, chosen), status=400)
    try:
        if chosen != "auto":
            known(chosen)  # a wrong choice is refused once, not once per file
        if len(uploads) > 1 or jobs.is_large(uploads[0]):
            batch = jobs.create_batch(uploads, chosen, request.user)
            return redirect("schemas:batch", batch=batch)
        run = run_upload(uploads[0], chosen, request.user)
    except (SchemaNotFound, UnreadableFile) as exc:
        return render(request, "schemas/validate.html", _form_context(str(exc), chosen), status=400)
    return redirect("schemas:report", pk=run.pk)


# Seconds between two reloads of a batch page while a file is still being validated.
REFRESH_SECONDS = 2


@access("public")
def batch_page(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    """The files of one drop: their verdicts and report links, or their progress while validated.

    Like a report, it is public to whoever has its address (an unguessable identifier).
    """
    rows = list(ValidationJob.objects.of_batch(batch))
    if not rows:
        raise Http404("Ce lot de validations n'existe pas ou a été supprimé.")
    rows = jobs.take_up_orphans(rows)
    pending = any(not job.finished for job in rows)
    if len(rows) == 1 and rows[0].run is not None:
        return redirect("schemas:report", pk=rows[0].run.pk)
    counts = {
        "valides": sum(1 for j in rows if j.run is not None and j.run.valid),
        "invalides": sum(1 for j in rows if j.run is not None and not j.run.valid),
        "echecs": sum(1 for j in rows if j.status == JobStatus.FAILED),
        "en_cours": sum(1 for j in rows if not j.finished),
    }
    return render(
        request,
        "schemas/batch.html",
        {"jobs": rows, "pending": pending, "refresh": REFRESH_SECONDS, "counts": counts},
    )


@access("public")
def report_page(request: HttpRequest, pk: str) -> HttpResponse:
    run = get_object_or_404(ValidationRun, pk=pk)
    report = run.report
    share_url = request.build_absolute_uri(reverse("schemas:report", kwargs={"pk": run.pk}))
    badge_url = request.build_absolute_uri(reverse("schemas:badge", kwargs={"pk": run.pk}))
    categories = {"structure": "Structure du fichier", "cellule": "Cellules", "ligne": "Lignes"}
    sections: list[dict[str, Any]] = []
    for group in report["groupes"]:
        if not sections or sections[-1]["key"] != group["categorie"]:
            sections.append(
                {"key": group["categorie"], "title": categories[group["categorie"]], "groups": []}
            )
        sections[-1]["groups"].append(group)
    return render(
        request,
        "schemas/report.html",
        {"run": run, "report": report, "sections": sections, "share_url": share_url, "badge_url": badge_url},
    )


@access("public")
def report_json(request: HttpRequest, pk: str) -> HttpResponse:
    run = get_object_or_404(ValidationRun, pk=pk)
    return HttpResponse(json.dumps(run.report, ensure_ascii=False), content_type="application/json")


BADGE = """<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label} : {text}">
<title>{label} : {text}</title>
<rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{color}"/>
<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="6" y="14">{label}</text><text x="{tx}" y="14">{text}</text></g></svg>"""


@access("public")
def badge(request: HttpRequest, pk: str) -> HttpResponse:
    run = get_object_or_404(ValidationRun, pk=pk)
    label = f"{run.schema_name} {run.schema_version}".strip()
    text = "valide" if run.valid else f"invalide ({run.errors} erreur{'s' if run.errors > 1 else ''})"
    left = 12 + 7 * len(label)
    right = 12 + 7 * len(text)
    svg = BADGE.format(
        width=left + right,
        left=left,
        right=right,
        tx=left + 6,
        label=_xml(label),
        text=_xml(text),
        color="#2e7d32" if run.valid else "#c62828",
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@access("public")
def fixed_download(request: HttpRequest, pk: str) -> FileResponse:
    run = get_object_or_404(ValidationRun, pk=pk)
    if not run.fixed_file:
        raise Http404("Aucune correction sûre pour ce fichier.")
    name = run.file_name.rsplit(".", 1)[0] + "-corrige.csv"
    try:
        handle = open(run.fixed_file, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError as exc:
        raise Http404("La copie corrigée n'est plus disponible.") from exc
    return FileResponse(handle, as_attachment=True, filename=name, content_type="text/csv")


@access("public")
def changes_download(request: HttpRequest, pk: str) -> HttpResponse | FileResponse:
    run = get_object_or_404(ValidationRun, pk=pk)
    try:
        # Every change, written while validating; the stored report lists only the first ones.
        handle = open(changes_path(run.pk), "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError:
        pass
    else:
        return FileResponse(handle, as_attachment=True, filename="corrections.csv", content_type="text/csv")
    header = list(CHANGE_LABELS)
    rows = [
        [c["ligne"], c["colonne"], c["avant"], c["apres"], c["regle"]]
        for c in run.report.get("corrections", [])
    ]
    response = HttpResponse(exports.to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="corrections.csv"'
    return response


@access("public")
def home_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("schemas:validate")
