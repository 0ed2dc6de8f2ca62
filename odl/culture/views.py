"""Views of the questionnaire: campaigns (ATD and collectivité), the public form, results, aggregates.

The form and the results are public (``public`` policy): a campaign's link carries an unguessable
token and needs no account; an unknown token answers 404. The results page shows only the response
this browser gave (its signed cookie), so a link passed around shows nobody else's answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from odl.accounts.access import access
from odl.atds.models import Atd
from odl.core import exports
from odl.culture import aggregates, answering, bank
from odl.culture import rules as culture_rules
from odl.culture.forms import CampaignForm, RespondentForm
from odl.culture.models import Campaign, Response
from odl.culture.scoring import ALERT_GAP, LEVEL_BOUNDS, global_score, level_of
from odl.programme.models import Etd

EXPORT_FORMATS = ("csv", "xlsx", "ods")


def _unavailable(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "culture/unavailable.html", {"title": title, "message": message}, status=status)


def _public_url(request: HttpRequest, campaign: Campaign) -> str:
    return request.build_absolute_uri(reverse("culture:answer", args=[campaign.token]))


def _campaign_rows(request: HttpRequest, campaigns: Any, detail: Any) -> list[dict[str, Any]]:
    counts = dict(
        Response.objects.filter(campaign__in=campaigns)
        .values("campaign")
        .annotate(n=Count("id"))
        .values_list("campaign", "n")
    )
    return [
        {"campaign": c, "url": _public_url(request, c), "responses": counts.get(c.pk, 0), "detail": detail(c)}
        for c in campaigns
    ]


def _create(request: HttpRequest, atd: Atd, etds: Any, fixed_etd: Etd | None) -> CampaignForm | HttpResponse:
    form = CampaignForm(request.POST or None, etds=etds, fixed_etd=fixed_etd)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.atd = atd
        if fixed_etd is not None:
            campaign.etd = fixed_etd
        campaign.created_by = request.user if request.user.is_authenticated else None
        campaign.save()
        messages.success(
            request,
            f"Campagne « {campaign.title} » ouverte : diffusez son lien {_public_url(request, campaign)}",
        )
        return HttpResponseRedirect(request.path)
    return form


@access("atd_staff")
def campaigns(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    form = _create(request, atd, Etd.objects.filter(atd=atd).active().select_related("territory"), None)
    if isinstance(form, HttpResponse):
        return form
    found = Campaign.objects.of_atd(atd)
    context = {
        "atd": atd,
        "form": form,
        "rows": _campaign_rows(request, found, lambda c: reverse("culture:figures", args=[atd.slug, c.pk])),
        "bank_formats": (("csv", "CSV"), ("yaml", "YAML")),
    }
    return render(request, "culture/campaigns.html", context, status=400 if form.errors else 200)


def _etd_of(request: HttpRequest, etd: int) -> Etd:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    return get_object_or_404(Etd.objects.select_related("territory", "atd"), pk=etd, atd=atd)


@access("etd")
def etd_campaigns(request: HttpRequest, slug: str, etd: int) -> HttpResponse:
    follower = _etd_of(request, etd)
    form = _create(request, follower.atd, Etd.objects.filter(pk=follower.pk), follower)
    if isinstance(form, HttpResponse):
        return form
    found = Campaign.objects.concerning(follower).select_related("etd__territory").order_by("-created_at")
    context = {
        "atd": follower.atd,
        "etd": follower,
        "form": form,
        "rows": _campaign_rows(
            request, found, lambda c: reverse("culture:etd_figures", args=[slug, follower.pk, c.pk])
        ),
    }
    return render(request, "culture/etd_campaigns.html", context, status=400 if form.errors else 200)


def _figures_context(
    request: HttpRequest, campaign: Campaign, etd: Etd | None, others: Any
) -> dict[str, Any]:
    result = aggregates.figures(campaign, etd)
    key = request.GET.get("groupe", aggregates.TOTAL_KEY)
    chosen = result.find(key) or result.total
    compare_to = None
    trend = None
    wanted = request.GET.get("comparer", "")
    if wanted.isdigit():
        compare_to = others.filter(pk=int(wanted)).first()
        if compare_to is not None:
            trend = aggregates.trend(aggregates.figures(compare_to, etd), result)
    named: list[dict[str, Any]] = []
    if not campaign.anonymous:
        for response in aggregates.responses_of(campaign, etd).select_related("etd__territory"):
            total = global_score(response.scores.values())
            named.append({"response": response, "score": total, "level": level_of(total)})
    return {
        "campaign": campaign,
        "figures": result,
        "chosen": chosen,
        "items": aggregates.distribution(campaign, chosen.key, etd) if not chosen.hidden else None,
        "others": others.exclude(pk=campaign.pk),
        "compare_to": compare_to,
        "trend": trend,
        "named": named,
        "k": aggregates.K_ANONYMITY,
        "below": aggregates.BELOW,
        "formats": exports.FORMAT_LABELS,
        "query": f"groupe={chosen.key}",
    }


@access("atd_staff")
def figures(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    campaign = get_object_or_404(Campaign.objects.select_related("etd__territory"), pk=pk, atd=atd)
    context = _figures_context(request, campaign, None, Campaign.objects.of_atd(atd))
    context.update(atd=atd, exportable=True)
    return render(request, "culture/figures.html", context)


@access("etd")
def etd_figures(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    follower = _etd_of(request, etd)
    concerning = Campaign.objects.concerning(follower)
    campaign = get_object_or_404(concerning.select_related("etd__territory"), pk=pk)
    context = _figures_context(request, campaign, follower, concerning.order_by("-created_at"))
    context.update(atd=follower.atd, etd=follower, exportable=False)
    return render(request, "culture/figures.html", context)


@access("atd_staff")
def export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    campaign = get_object_or_404(Campaign, pk=pk, atd=atd)
    if fmt not in EXPORT_FORMATS:
        raise Http404("Format d'export inconnu : CSV, XLSX ou ODS.")
    result = aggregates.figures(campaign)
    if request.GET.get("tableau") == "questions":
        chosen = result.find(request.GET.get("groupe", aggregates.TOTAL_KEY)) or result.total
        items = aggregates.distribution(campaign, chosen.key) if not chosen.hidden else None
        header: tuple[str, ...] = aggregates.ITEM_EXPORT_COLUMNS
        rows: list[list[Any]] = (
            aggregates.item_export_rows(items)
            if items is not None
            else [["", "", f"{chosen.label} : {aggregates.HIDDEN_TEXT}", "", "", ""]]
        )
        name = f"campagne-{campaign.pk}-questions"
    else:
        header, rows, name = (
            aggregates.EXPORT_COLUMNS,
            aggregates.export_rows(result),
            f"campagne-{campaign.pk}",
        )
    response = HttpResponse(exports.render(fmt, header, rows), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@access("atd_member")
def bank_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "yaml"):
        raise Http404("Format inconnu : CSV ou YAML.")
    content_type = exports.CONTENT_TYPES["csv"] if fmt == "csv" else "application/yaml; charset=utf-8"
    response = HttpResponse(bank.export(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="banque-questionnaire.{fmt}"'
    return response


def _campaign(token: str) -> Campaign:
    campaign = Campaign.objects.select_related("atd", "etd__territory").filter(token=token).first()
    if campaign is None:
        raise Http404("Questionnaire introuvable : vérifiez le lien reçu.")
    return campaign


@access("public")
def answer(request: HttpRequest, token: str) -> HttpResponse:
    campaign = _campaign(token)
    previous = answering.answered_by_this_browser(request, campaign)
    if previous is not None:
        status = 409 if request.method == "POST" else 200
        return render(
            request, "culture/already.html", {"campaign": campaign, "previous": previous}, status=status
        )
    if campaign.is_closed:
        return _unavailable(
            request,
            "Questionnaire clos",
            f"Ce questionnaire est clos depuis le {campaign.closes_on:%d/%m/%Y} : il ne reçoit plus de réponses. "
            f"Rapprochez-vous de l'ATD « {campaign.atd.name} » pour une prochaine campagne.",
            410,
        )
    sections = answering.sections()
    questions = [q for s in sections for q in s.questions]
    form = RespondentForm(request.POST or None, campaign=campaign)
    missing: list[str] = []
    if request.method == "POST":
        chosen, missing = answering.parse_choices(request.POST, questions)
        if form.is_valid() and not missing and questions:
            stored = answering.submit(campaign, form.header(), chosen)
            response = HttpResponseRedirect(reverse("culture:results", args=[token]))
            answering.remember(response, campaign, stored)
            return response
    context: dict[str, Any] = {
        "campaign": campaign,
        "form": form,
        "sections": sections,
        "missing": set(missing),
        "missing_questions": [q for q in questions if q.name in missing],
        "expires": campaign.retention_months,
        "question_count": len(questions),
    }
    return render(request, "culture/answer.html", context)


@access("public")
def results(request: HttpRequest, token: str) -> HttpResponse:
    campaign = _campaign(token)
    response = answering.answered_by_this_browser(request, campaign)
    if response is None:
        return render(request, "culture/no_result.html", {"campaign": campaign})
    result = answering.result_of(response)
    context = {
        "campaign": campaign,
        "response": response,
        "result": result,
        "recommendations": culture_rules.for_respondent(result.by_code()),
        "weakest": result.weakest(),
        "alert_gap": ALERT_GAP,
        "bounds": LEVEL_BOUNDS,
        "chart": {"labels": [d.label for d in result.domains], "scores": [d.score for d in result.domains]},
        "today": timezone.localdate(),
    }
    return render(request, "culture/results.html", context)


urlpatterns: list[URLPattern] = [
    path("culture/banque.<str:fmt>", bank_export, name="bank_export"),
    path("culture/<slug:slug>/", campaigns, name="campaigns"),
    path("culture/<slug:slug>/campagne/<int:pk>/", figures, name="figures"),
    path("culture/<slug:slug>/campagne/<int:pk>/export.<str:fmt>", export, name="export"),
    path("culture/<slug:slug>/etd/<int:etd>/", etd_campaigns, name="etd_campaigns"),
    path("culture/<slug:slug>/etd/<int:etd>/campagne/<int:pk>/", etd_figures, name="etd_figures"),
    path("questionnaire/<str:token>/", answer, name="answer"),
    path("questionnaire/<str:token>/resultats/", results, name="results"),
]
