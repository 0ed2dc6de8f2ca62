"""The coordinators' page of the platform's jobs (harvest runs, validations, pushes, follow-ups)."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from odl.core.access import access
from odl.operations.jobs import DOORS, STATES, Job, Jobs

PER_PAGE = 50


@access("coordinator")
def jobs(request: HttpRequest) -> HttpResponse:
    chosen = {
        "type": request.GET.get("type", "").strip()[:20],
        "etat": request.GET.get("etat", "").strip()[:20],
    }
    problems = []
    if chosen["type"] and chosen["type"] not in DOORS:
        problems.append(f"Type de tâche inconnu : « {chosen['type']} » (attendu : {', '.join(DOORS)}).")
    if chosen["etat"] and chosen["etat"] not in STATES:
        problems.append(f"État inconnu : « {chosen['etat']} » (attendu : {', '.join(STATES)}).")
    if problems:
        chosen = {"type": "", "etat": ""}
    rows = Jobs(kind=chosen["type"], state=chosen["etat"])
    # Jobs is sliced and counted like a queryset, which is all Paginator does with it; the stubs' protocol
    # also asks for integer indexing, which a merged list of several tables does not offer.
    page: Page[Job] = Paginator(cast(Any, rows), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "chosen": chosen,
        "problems": problems,
        "kinds": [(key, door.label) for key, door in DOORS.items()],
        "states": list(STATES.items()),
        "query": urlencode({k: v for k, v in chosen.items() if v}),
    }
    return render(request, "operations/jobs.html", context, status=400 if problems else 200)
