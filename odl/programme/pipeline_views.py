"""Views of the programme: pipeline (adding collectivités, the board, the table, the ETD page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from odl.accounts.access import access
from odl.accounts.roles import can_follow
from odl.atds.models import Atd
from odl.core import exports
from odl.programme import pipeline
from odl.programme.models import PIPELINE, Etd, EtdStep
from odl.territories.models import COLLECTIVITE_KINDS, Kind
from odl.territories.targeting import CriteriaError, compute_targets, criteria_from_params

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx", "ods")
STEP_CHOICES = [(s.value, s.label) for s in EtdStep]


def _atd(request: HttpRequest) -> Atd:
    return request.atd  # type: ignore[attr-defined,no-any-return]


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@access("atd_staff")
@require_POST
def add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add the whole filtered ciblage list (``tout``) or the ticked rows (``territory``)."""
    atd = _atd(request)
    query = request.POST.get("query", "")[:4000]
    back = _safe_next(request, reverse("territories:targets") + ("?" + query if query else ""))
    if request.POST.get("tout"):
        try:
            rows = compute_targets(criteria_from_params(QueryDict(query))).rows
        except CriteriaError as exc:
            messages.error(request, f"Liste de ciblage inutilisable : {exc}")
            return redirect(back)
        ids = [row["id"] for row in rows]
    else:
        raw = request.POST.getlist("territory")
        ids = [int(v) for v in raw if v.isdigit()]
        if not ids:
            messages.error(
                request, "Cochez au moins une collectivité de la liste avant de l'ajouter au suivi."
            )
            return redirect(back)
    report = pipeline.add_to_followup(atd, ids, by=request.user)
    level = messages.WARNING if report.outside or report.shared else messages.SUCCESS
    messages.add_message(request, level, f"Suivi de « {atd.name} » : {report.summary()}")
    return redirect(back)


@access("atd_staff")
def board(request: HttpRequest, slug: str) -> HttpResponse:
    atd = _atd(request)
    columns = pipeline.board_columns(atd)
    return render(
        request,
        "programme/pipeline/board.html",
        {
            "atd": atd,
            "columns": columns,
            "total": sum(c["count"] for c in columns),
            # One token for every card's form: {% csrf_token %} hundreds of times costs more.
            "csrf": get_token(request),
        },
    )


@access("atd_staff")
@require_POST
def move(request: HttpRequest, slug: str, etd: int) -> HttpResponse:
    atd = _atd(request)
    item = get_object_or_404(Etd.objects.select_related("territory"), pk=etd, atd=atd)
    step = request.POST.get("step", "")
    back = _safe_next(request, reverse("programme:board", args=[atd.slug]))
    try:
        item.move_to(
            step,
            by=request.user,
            note=request.POST.get("note", "").strip()[:2000],
            reason=request.POST.get("reason", "").strip()[:500],
        )
    except ValueError:
        label = dict(STEP_CHOICES).get(step, step)
        problem = (
            "indiquez la raison de l'abandon dans le champ « Raison »"
            if step == EtdStep.ABANDON
            else f"l'étape « {label} » est inconnue"
        )
        messages.error(request, f"{item.territory.nom} n'a pas changé d'étape : {problem}.")
        return redirect(back + f"#etd-{item.pk}")
    messages.success(request, f"{item.territory.nom} est maintenant à l'étape « {item.get_step_display()} ».")
    return redirect(back + f"#etd-{item.pk}")


def _table_context(request: HttpRequest, atd: Atd) -> dict[str, Any]:
    filters = pipeline.TableFilters.from_params(request.GET)
    page = Paginator(pipeline.table_rows(atd, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    columns = []
    for key, label in (
        ("nom", "Collectivité"),
        ("type", "Type"),
        ("population", "Population"),
        ("departement", "Département"),
        ("etape", "Étape"),
        ("depuis", "Depuis"),
        ("engagements", "Engagements"),
        ("retard", "En retard"),
    ):
        state = {key: "ascending", f"-{key}": "descending"}.get(filters.sort, "none")
        next_sort = f"-{key}" if filters.sort == key else key
        url = "?" + urlencode(filters.as_params(tri=next_sort))
        columns.append({"key": key, "label": label, "state": state, "url": url})
    departements = sorted(
        set(atd.etds.values_list("territory__departement_code", flat=True).order_by()) - {""}
    )
    return {
        "atd": atd,
        "filters": filters,
        "page": page,
        "cards": pipeline.cards(atd, page.object_list),
        "columns": columns,
        "query": urlencode({k: v for k, v in filters.as_params().items()}),
        "step_choices": STEP_CHOICES,
        "kind_choices": [(k.value, k.label) for k in Kind if k in COLLECTIVITE_KINDS],
        "departements": departements,
        "formats": EXPORT_FORMATS,
    }


@access("atd_staff")
def table(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "programme/pipeline/table.html", _table_context(request, _atd(request)))


@access("atd_staff")
def table_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("format inconnu")
    atd = _atd(request)
    etds = pipeline.table_rows(atd, pipeline.TableFilters.from_params(request.GET))
    data = exports.render(fmt, pipeline.EXPORT_HEADER, pipeline.export_rows(atd, etds))
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="suivi-{atd.slug}.{fmt}"'
    return response


@access("etd")
def etd_page(request: HttpRequest, slug: str, etd: int) -> HttpResponse:
    atd = _atd(request)
    item = get_object_or_404(Etd.objects.select_related("territory", "atd"), pk=etd, atd=atd)
    staff = can_follow(request.user, atd)
    return render(
        request,
        "programme/pipeline/etd.html",
        {
            "atd": atd,
            "etd": item,
            "staff": staff,
            "history": item.history.select_related("by"),
            "shared_with": pipeline.others_following(atd, [item.territory_id]).get(item.territory_id, []),
            "pipeline_steps": [EtdStep(s) for s in PIPELINE],
            "move_url": reverse("programme:move", args=[atd.slug, item.pk]),
            "etd_key": str(item.pk),
            "step_options": pipeline.step_options(item.step),
            "csrf": get_token(request),
        },
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("suivi/<slug:slug>/", board, name="board"),
    path("suivi/<slug:slug>/ajouter/", add, name="add"),
    path("suivi/<slug:slug>/tableau/", table, name="table"),
    path("suivi/<slug:slug>/tableau/export.<str:fmt>", table_export, name="table_export"),
    path("suivi/<slug:slug>/etd/<int:etd>/", etd_page, name="etd"),
    path("suivi/<slug:slug>/etd/<int:etd>/etape/", move, name="move"),
]
