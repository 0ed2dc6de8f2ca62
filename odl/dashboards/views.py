"""The builder (ATD staff, and the collectivité's agents for its own dashboards), the public page, the
embed and the exports of a dashboard.

The builder lives twice: under the ATD (``suivi/<slug>/tableaux-de-bord/``: the ATD's own dashboards,
policy ``atd_staff``) and under each collectivité it accompanies
(``suivi/<slug>/etd/<etd>/tableaux-de-bord/``: policy ``etd``). The same functions serve both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.html import escape
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from odl.accounts.access import access
from odl.atds.models import Atd
from odl.core import exports
from odl.core.embedding import frameable, unread_session
from odl.dashboards import render as rendering
from odl.dashboards import rules, sources
from odl.dashboards.figures import FiguresRefused, Spec, compute, figures_of, raw_rows, stream_csv
from odl.dashboards.forms import CHART_FIELDS, ChartForm, DashboardForm
from odl.dashboards.models import Chart, Dashboard, ResourceCopy
from odl.harvest.models import HarvestedDataset
from odl.programme.models import Etd
from odl.publishing.models import Dataset

MAX_HARVESTED = 200


# --- Scope: the ATD's own dashboards, or one collectivité's ------------------------------------------------


def _scope(request: HttpRequest, etd: int | None) -> tuple[Atd, Etd | None]:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    if etd is None:
        return atd, None
    return atd, get_object_or_404(Etd.objects.select_related("territory", "atd"), pk=etd, atd=atd)


def _boards(atd: Atd, etd: Etd | None) -> Any:
    boards = Dashboard.objects.filter(atd=atd).select_related("etd__territory", "atd")
    return boards.filter(etd=etd) if etd is not None else boards


def _board(request: HttpRequest, etd: int | None, pk: int) -> tuple[Atd, Etd | None, Dashboard]:
    atd, item = _scope(request, etd)
    board = get_object_or_404(
        Dashboard.objects.select_related("etd__territory", "atd"), pk=pk, atd=atd, etd=item
    )
    return atd, item, board


def _index_url(atd: Atd, etd: Etd | None) -> str:
    if etd is not None:
        return reverse("dashboards:etd_index", args=[atd.slug, etd.pk])
    return reverse("dashboards:atd_index", args=[atd.slug])


def _unique_slug(title: str, owner: str) -> str:
    base = slugify(f"{title} {owner}")[:200] or "tableau-de-bord"
    slug, n = base, 1
    while Dashboard.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def index(request: HttpRequest, slug: str, etd: int | None = None) -> HttpResponse:
    atd, item = _scope(request, etd)
    form = DashboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        board = form.save(commit=False)
        board.atd, board.etd = atd, item
        board.created_by = board.updated_by = request.user
        board.slug = _unique_slug(board.title, item.territory.nom if item else atd.name)
        board.save()
        messages.success(
            request, f"Le tableau de bord « {board.title} » est créé : ajoutez-lui un graphique."
        )
        return redirect(board.builder_url())
    boards = list(_boards(atd, item).annotate(chart_count=Count("charts")).order_by("title"))
    return render(
        request,
        "dashboards/index.html",
        {"atd": atd, "etd": item, "boards": boards, "form": form, "rules": rules.RULES},
    )


def _snippets(board: Dashboard, charts: list[Chart]) -> list[dict[str, str]]:
    src = rendering.site() + reverse("dashboards:embed", args=[board.slug])
    found = [{"label": "Tout le tableau de bord", "code": _iframe(src, board.title, 900)}]
    for chart in charts:
        found.append(
            {
                "label": f"Le graphique « {chart.title} »",
                "code": _iframe(f"{src}?graphique={chart.pk}", chart.title, 640),
            }
        )
    return found


def _iframe(src: str, title: str, height: int) -> str:
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="{height}" '
        f'loading="lazy"></iframe>'
    )


def edit(request: HttpRequest, slug: str, pk: int, etd: int | None = None) -> HttpResponse:
    atd, item, board = _board(request, etd, pk)
    form = DashboardForm(request.POST or None, instance=board)
    if request.method == "POST" and form.is_valid():
        board = form.save(commit=False)
        board.updated_by = request.user
        board.save()
        messages.success(request, "Le tableau de bord est enregistré.")
        return redirect(board.builder_url())
    charts = list(_charts(board))
    return render(
        request,
        "dashboards/edit.html",
        {
            "atd": atd,
            "etd": item,
            "board": board,
            "form": form,
            "charts": [rendering.chart_context(board, c) for c in charts],
            "snippets": _snippets(board, charts),
            "index_url": _index_url(atd, item),
            "rules": rules.RULES,
        },
    )


def _charts(board: Dashboard) -> Any:
    return board.charts.select_related(
        "dataset__latest", "dataset__etd__territory", "copy__harvested"
    ).order_by("position", "pk")


# --- The chart form ------------------------------------------------------------------------------------------


def _published(atd: Atd, etd: Etd | None) -> list[Dataset]:
    found = Dataset.objects.filter(etd__atd=atd, latest__isnull=False).select_related(
        "etd__territory", "latest"
    )
    if etd is not None:
        found = found.filter(etd=etd)
    return list(found.order_by("title"))


def _harvested(atd: Atd, etd: Etd | None) -> list[HarvestedDataset]:
    territories = (
        [etd.territory_id] if etd is not None else list(atd.etds.values_list("territory_id", flat=True))
    )
    found = HarvestedDataset.objects.filter(
        publisher__territory_id__in=territories, archived_at__isnull=True, duplicate_of__isnull=True
    ).order_by("title")
    return list(found[:MAX_HARVESTED])


def source_choices(atd: Atd, etd: Etd | None) -> list[tuple[str, str]]:
    choices = [
        (f"p:{d.pk}", f"Publié ici — {d.title} ({d.etd.territory.nom}, version {d.latest.number})")
        for d in _published(atd, etd)
        if d.latest is not None
    ]
    for harvested in _harvested(atd, etd):
        for index, resource in sources.tabular_resources(harvested):
            name = str(resource.get("title") or resource.get("url"))[:80]
            fmt = sources.resource_format(resource).upper()
            choices.append(
                (f"h:{harvested.pk}:{index}", f"Moissonné — {harvested.title[:100]} — {name} ({fmt})")
            )
    return choices


def _source_of(chart: Chart) -> str:
    if chart.dataset_id:
        return f"p:{chart.dataset_id}"
    if chart.copy is not None and chart.copy.harvested is not None:
        for index, resource in enumerate(chart.copy.harvested.resources or []):
            if isinstance(resource, dict) and resource.get("url") == chart.copy.url:
                return f"h:{chart.copy.harvested_id}:{index}"
    return ""


def _initial(chart: Chart) -> dict[str, Any]:
    initial = {name: getattr(chart, name) for name in CHART_FIELDS}
    initial["source"] = _source_of(chart)
    return initial


def _apply_source(
    chart: Chart, value: str, allowed: list[tuple[str, str]], copy_pk: str, refetch: bool
) -> None:
    """Point the (unsaved) chart at the source ``value``; a harvested one is read now unless its copy is kept."""
    if value not in dict(allowed):
        raise sources.SourceUnreadable("Choisissez un jeu de données dans la liste.")
    parts = value.split(":")
    if parts[0] == "p":
        chart.dataset = Dataset.objects.select_related("latest", "etd__territory").get(pk=int(parts[1]))
        chart.copy = None
        return
    harvested = HarvestedDataset.objects.get(pk=int(parts[1]))
    index = int(parts[2])
    url = str((harvested.resources or [])[index].get("url") or "")
    kept = None
    if not refetch:
        if copy_pk.isdigit():
            kept = ResourceCopy.objects.filter(pk=int(copy_pk), harvested=harvested, url=url).first()
        elif chart.copy is not None and chart.copy.harvested_id == harvested.pk and chart.copy.url == url:
            kept = chart.copy
    chart.dataset = None
    chart.copy = kept or sources.fetch_copy(harvested, index)


def chart_form(
    request: HttpRequest, slug: str, pk: int, chart: int | None = None, etd: int | None = None
) -> HttpResponse:
    atd, item, board = _board(request, etd, pk)
    existing = get_object_or_404(_charts(board), pk=chart) if chart is not None else None
    draft = existing or Chart(dashboard=board)
    allowed = source_choices(atd, item)
    columns: list[str] = []
    problem = ""
    refusals: list[rules.Refusal] = []
    action = request.POST.get("action", "enregistrer")
    if request.method == "POST":
        data: Any = request.POST
        try:
            _apply_source(
                draft,
                request.POST.get("source", ""),
                allowed,
                request.POST.get("copie", ""),
                action == "relire",
            )
            columns = list(sources.frame_for(draft).columns)
        except sources.SourceUnreadable as exc:
            problem = str(exc)
            # The chart as it was stays untouched: the form keeps what was typed, nothing is saved.
            if existing is not None:
                draft = get_object_or_404(_charts(board), pk=existing.pk)
        form = ChartForm(data, sources=allowed, columns=columns)
        if action == "enregistrer" and not problem and form.is_valid():
            for name, value in form.cleaned_data.items():
                if name != "source":
                    setattr(draft, name, value)
            # The rules that need no figure first: a rate without its denominator is refused as such.
            refusals = rules.refusals(draft, None)
            figures = None
            if not refusals:
                try:
                    figures = compute(sources.frame_for(draft), Spec.of(draft))
                except FiguresRefused as exc:
                    form.add_error(None, str(exc))
            if figures is not None:
                refusals = rules.refusals(draft, figures)
                if not refusals:
                    with transaction.atomic():
                        if draft.pk is None:
                            draft.created_by = request.user
                            draft.position = board.charts.count()
                        draft.updated_by = request.user
                        draft.save()
                        board.updated_by = request.user  # type: ignore[assignment]
                        board.save(update_fields=["updated_by", "updated_at"])
                    messages.success(request, f"Le graphique « {draft.title} » est enregistré.")
                    return redirect(board.builder_url())
        elif action == "enregistrer" and not problem:
            # Fields to correct, and the honesty rules the fields already read break: said at once.
            for name, value in getattr(form, "cleaned_data", {}).items():
                if name != "source":
                    setattr(draft, name, value)
            refusals = rules.refusals(draft, None)
        elif action == "relire" and not problem and existing is not None and draft.copy is not None:
            existing.copy = draft.copy
            existing.save(update_fields=["copy", "updated_at"])
            messages.success(request, f"La ressource est relue : {draft.copy.rows} lignes.")
    else:
        if existing is not None:
            try:
                columns = list(sources.frame_for(draft).columns)
            except sources.SourceUnreadable as exc:
                problem = str(exc)
        form = ChartForm(initial=_initial(draft) if existing else None, sources=allowed, columns=columns)
    refused = problem or refusals or (request.method == "POST" and form.errors and action == "enregistrer")
    status = 400 if request.method == "POST" and refused else 200
    return render(
        request,
        "dashboards/chart_form.html",
        {
            "atd": atd,
            "etd": item,
            "board": board,
            "chart": existing,
            "form": form,
            "columns": columns,
            "copy": draft.copy if draft.copy is not None else None,
            "problem": problem,
            "refusals": refusals,
            "rules": rules.RULES,
            "has_sources": bool(allowed),
            "to_correct": [form[name].label for name in form.errors if name in form.fields],
        },
        status=status,
    )


def chart_delete(
    request: HttpRequest, slug: str, pk: int, chart: int, etd: int | None = None
) -> HttpResponse:
    _, _, board = _board(request, etd, pk)
    item = get_object_or_404(Chart, pk=chart, dashboard=board)
    title = item.title
    item.delete()
    messages.success(request, f"Le graphique « {title} » est retiré du tableau de bord.")
    return redirect(board.builder_url())


# --- Public page, embed, exports -------------------------------------------------------------------------------


def _public_board(slug: str) -> Dashboard | None:
    return Dashboard.objects.select_related("etd__territory", "atd").filter(slug=slug, public=True).first()


def _shared(board: Dashboard, contexts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The data shared: each source once, with its date, its link and the charts drawn from it."""
    found: dict[str, dict[str, Any]] = {}
    for context in contexts:
        info = context["info"]
        if info is None:
            continue
        entry = found.setdefault(
            info.checksum, {"info": info, "charts": [], "raw_url": context["all_rows_url"]}
        )
        entry["charts"].append(context["chart"].title)
    return list(found.values())


@access("public")
@require_safe
def public(request: HttpRequest, board: str) -> HttpResponse:
    item = _public_board(board)
    if item is None:
        raise Http404("Ce tableau de bord n'existe pas ou n'est pas public.")
    contexts = [rendering.chart_context(item, c) for c in _charts(item)]
    return render(
        request,
        "dashboards/public.html",
        {
            "board": item,
            "charts": contexts,
            "shared": _shared(item, contexts),
            "embed_url": reverse("dashboards:embed", args=[item.slug]),
        },
    )


@access("public")
@require_safe
@frameable
def embed(request: HttpRequest, board: str) -> HttpResponse:
    """The iframe page: no cookie, no script, nothing read from the visitor (see odl/core/embedding.py)."""
    item = _public_board(board)
    if item is None:
        response = HttpResponse(render_to_string("dashboards/embed_missing.html"), status=404)
        return unread_session(request, response)
    charts = list(_charts(item))
    wanted = request.GET.get("graphique", "")
    if wanted.isdigit():
        charts = [c for c in charts if c.pk == int(wanted)] or charts
    contexts = [rendering.chart_context(item, c, absolute=True) for c in charts]
    html = render_to_string(
        "dashboards/embed.html",
        {"board": item, "charts": contexts, "public_url": rendering.site() + item.get_absolute_url()},
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "public, max-age=300"
    return unread_session(request, response)


def _public_chart(board: str, chart: int) -> tuple[Dashboard, Chart]:
    item = _public_board(board)
    if item is None:
        raise Http404("Ce tableau de bord n'existe pas ou n'est pas public.")
    return item, get_object_or_404(_charts(item), pk=chart)


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@access("public")
@require_safe
def figures_export(request: HttpRequest, board: str, chart: int) -> HttpResponse:
    item, chart_item = _public_chart(board, chart)
    try:
        header, lines = rendering.figures_table(chart_item, figures_of(chart_item))
    except (sources.SourceUnreadable, FiguresRefused) as exc:
        return _text(f"Chiffres indisponibles : {exc}", 409)
    response = HttpResponse(exports.to_csv(header, lines), content_type=exports.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{item.slug}-{chart_item.pk}-chiffres.csv"'
    return response


@access("public")
@require_safe
def raw(request: HttpRequest, board: str, chart: int) -> HttpResponse | StreamingHttpResponse:
    """The source's rows behind one figure (``?valeur=`` the breakdown's value), streamed as CSV."""
    item, chart_item = _public_chart(board, chart)
    key = request.GET.get("valeur")
    method = request.GET.get("methode")
    try:
        header, frame = raw_rows(chart_item, key, method)
    except (sources.SourceUnreadable, FiguresRefused) as exc:
        return _text(f"Lignes indisponibles : {exc}", 409)
    response = StreamingHttpResponse(stream_csv(header, frame), content_type=exports.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{item.slug}-{chart_item.pk}-lignes.csv"'
    return response


# --- URLs ----------------------------------------------------------------------------------------------------

ATD = "suivi/<slug:slug>/tableaux-de-bord/"
ETD = "suivi/<slug:slug>/etd/<int:etd>/tableaux-de-bord/"


def _both(
    view: Callable[..., HttpResponse], name: str, tail: str, post_only: bool = False
) -> list[URLPattern]:
    """The same builder page under the ATD (its team) and under a collectivité (its agents and the ATD)."""
    inner = require_POST(view) if post_only else view
    return [
        path(ATD + tail, access("atd_staff")(inner), name=f"atd_{name}"),
        path(ETD + tail, access("etd")(inner), name=f"etd_{name}"),
    ]


urlpatterns: list[URLPattern] = [
    *_both(index, "index", ""),
    *_both(edit, "edit", "<int:pk>/"),
    *_both(chart_form, "chart_new", "<int:pk>/graphiques/nouveau/"),
    *_both(chart_form, "chart_edit", "<int:pk>/graphiques/<int:chart>/"),
    *_both(chart_delete, "chart_delete", "<int:pk>/graphiques/<int:chart>/retirer/", post_only=True),
    path("tableaux-de-bord/<slug:board>/", public, name="public"),
    path("tableaux-de-bord/<slug:board>/integrer/", embed, name="embed"),
    path("tableaux-de-bord/<slug:board>/graphiques/<int:chart>/chiffres.csv", figures_export, name="figures"),
    path("tableaux-de-bord/<slug:board>/graphiques/<int:chart>/lignes.csv", raw, name="raw"),
]
