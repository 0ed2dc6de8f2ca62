from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst, slugify
from django.views.decorators.http import require_POST

from odl.core import exports, figures
from odl.core.access import access
from odl.territories.models import (
    COLLECTIVITE_KINDS,
    Kind,
    Perimeter,
    Territory,
    TerritoryQuerySet,
    referentiel_version,
)
from odl.territories.obligation import OBLIGATION_LABELS, band_label, evaluate
from odl.territories.targeting import (
    EXPORT_COLUMNS,
    KIND_LABELS,
    Criteria,
    CriteriaError,
    TargetResult,
    build_criteria,
    cache_parts,
    cached_targets,
    criteria_from_params,
    export_rows,
    summarise,
)

PAGE_SIZE = 100


def criteria_from_request(request: HttpRequest) -> Criteria:
    return criteria_from_params(request.GET)


@access("public")
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "territories/home.html",
        {"regions": Territory.objects.filter(kind=Kind.REGION, active=True).order_by("nom")},
    )


@access("public")
def targets(request: HttpRequest) -> HttpResponse:
    # Kept whole for visitors without a session (the same page for all of them); rendered otherwise.
    parts = (settings.ODL_AGENTS_THRESHOLD, referentiel_version())
    return figures.cached_page("targets", request, parts, lambda: _targets(request))


def _targets(request: HttpRequest) -> HttpResponse:
    error = None
    try:
        criteria = criteria_from_request(request)
        result = cached_targets(criteria)
    except CriteriaError as exc:
        error = str(exc)
        criteria = build_criteria(check_codes=False)
        result = TargetResult(criteria, [], summarise([]))
    paginator = Paginator(result.rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "criteria": criteria,
        "result": result,
        "page": page,
        "error": error,
        "query_string": criteria.as_query(),
        "regions": Territory.objects.filter(kind=Kind.REGION, active=True).order_by("nom"),
        "departements": Territory.objects.filter(kind=Kind.DEPARTEMENT, active=True).order_by("code"),
        "selected_epcis": Territory.objects.filter(kind=Kind.EPCI, code__in=criteria.epcis),
        "kind_choices": [(k, capfirst(KIND_LABELS[k])) for k in ("commune", "epci", "departement", "region")],
        "columns": _columns(criteria),
        "chart_data": {
            "labels": [b["label"] for b in result.summary["bands"]],
            "counts": [b["count"] for b in result.summary["bands"]],
        },
        "rule_text": criteria.rule.describe(),
    }
    status = 400 if error else 200
    return render(request, "territories/targets.html", context, status=status)


def _columns(criteria: Criteria) -> list[dict[str, str]]:
    labels = [
        ("nom", "Nom"),
        ("kind", "Type"),
        ("code", "Code"),
        ("siren", "SIREN"),
        ("population", "Population"),
        ("departement", "Département"),
        ("region", "Région"),
        ("epci_siren", "EPCI"),
        ("obligation", "Obligation"),
    ]
    out = []
    for key, label in labels:
        if criteria.sort == key:
            next_sort, state = f"-{key}", "ascending"
        elif criteria.sort == f"-{key}":
            next_sort, state = key, "descending"
        else:
            next_sort, state = (f"-{key}" if key == "population" else key), "none"
        out.append(
            {"key": key, "label": label, "url": "?" + criteria.as_query(sort=next_sort), "state": state}
        )
    return out


@access("public")
def targets_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx", "ods"):
        raise Http404("format inconnu")
    try:
        criteria = criteria_from_request(request)
    except CriteriaError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    delimiter = "," if request.GET.get("sep") in (",", "virgule") else ";"
    # The file is public and the same for everyone: its bytes are kept per référentiel version.
    data = figures.remember(
        "targets-export",
        (*cache_parts(criteria), fmt, delimiter),
        lambda: exports.render(
            fmt, EXPORT_COLUMNS, export_rows(cached_targets(criteria)), delimiter=delimiter
        ),
    )
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="collectivites-obligees.{fmt}"'
    return response


# What a collectivité page shows besides the référentiel: harvested datasets and publishers, snapshots,
# reuses, places, the programme's accompaniment (their apps' blocks). A save or delete of any of their
# models bumps this token (odl/territories/apps.py), and so does the end of a harvest (the observatory
# app); writes in bulk that send no signal are covered by PAGE_KEPT.
PAGE_DATA = "territory-page"
PAGE_DATA_APPS = frozenset({"territories", "atds", "harvest", "observatory", "reuses", "places", "programme"})
PAGE_KEPT = 10 * 60


def page_data_changed() -> None:
    """Something a collectivité page shows changed: kept pages are not read again."""
    figures.bump(PAGE_DATA)


@access("public")
def territory_detail(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    # Kept whole for visitors without a session: a région's page reads thousands of datasets.
    parts = (referentiel_version(), figures.version("snapshots"), figures.version(PAGE_DATA))
    return figures.cached_page(
        "territory", request, parts, lambda: _territory_detail(request, kind, code), timeout=PAGE_KEPT
    )


def _territory_detail(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    territory = get_object_or_404(Territory.objects.select_related("epci", "parent"), kind=kind, code=code)
    rule = build_criteria(check_codes=False).rule
    status, reason = evaluate(
        territory.kind,
        territory.population,
        territory.agents,
        territory.zone,
        territory.exercised_by,
        rule,
        band=territory.agents_band,
        band_year=territory.agents_band_year,
    )
    departement = Territory.objects.filter(kind=Kind.DEPARTEMENT, code=territory.departement_code).first()
    region = Territory.objects.filter(kind=Kind.REGION, code=territory.region_code).first()
    members = []
    if territory.kind == Kind.EPCI:
        members = list(territory.member_communes.filter(active=True).order_by("-population"))
    epcis_of_departement: list[Territory] = []
    counts: dict[str, int] = {}
    if territory.kind in (Kind.DEPARTEMENT, Kind.REGION):
        # They depend on the référentiel only: counted once per version of it (odl/core/figures.py).
        counts, epcis_of_departement = figures.remember(
            "territory-counts",
            (territory.kind, territory.code, rule.population_threshold, referentiel_version()),
            lambda: _member_counts(territory, rule.population_threshold),
        )
    context = {
        "territory": territory,
        "obligation": status.value,
        "obligation_label": OBLIGATION_LABELS[status],
        "reason": reason,
        "rule_text": rule.describe(),
        "departement": departement,
        "region": region,
        "members": members,
        "children": territory.children.filter(active=True).order_by("nom"),
        "sub_departements": epcis_of_departement,
        "counts": counts,
        "is_collectivite": territory.kind in COLLECTIVITE_KINDS,
        "agent_counts": territory.agent_counts.all()[:10],
        "band_label": band_label(territory.agents_band) if territory.agents_band else "",
    }
    return render(request, "territories/detail.html", context)


def _member_counts(territory: Territory, threshold: int) -> tuple[dict[str, int], list[Territory]]:
    """The communes, EPCI and obliged communes of a département or a région, and a région's départements."""
    field = "departement_code" if territory.kind == Kind.DEPARTEMENT else "region_code"
    base = Territory.objects.collectivites().filter(**{field: territory.code})
    counts = {
        "communes": base.filter(kind=Kind.COMMUNE).count(),
        "epcis": base.filter(kind=Kind.EPCI).count(),
        "obliged_communes": base.filter(kind=Kind.COMMUNE, population__gt=threshold).count(),
    }
    departements: list[Territory] = []
    if territory.kind == Kind.REGION:
        departements = list(
            Territory.objects.filter(kind=Kind.DEPARTEMENT, region_code=territory.code, active=True).order_by(
                "code"
            )
        )
    return counts, departements


@access("public")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = []
    if query:
        results = list(
            Territory.objects.active()
            .search(query)
            .select_related("parent")
            .order_by("kind", "-population")[:100]
        )
    return render(request, "territories/search.html", {"query": query, "results": results})


COMMUNE_SUGGESTIONS = 10


def _communes_matching(query: str) -> TerritoryQuerySet:
    """The active communes whose code INSEE begins with the query (or whose postcode it is), when it
    looks like a code; else the référentiel's search by name (accents and case aside). One query."""
    communes = Territory.objects.active().filter(kind=Kind.COMMUNE)
    code = query.upper().replace(" ", "")
    if re.fullmatch(r"(\d\d|2A|2B)\d{0,3}", code):
        condition = Q(code__startswith=code)
        if len(code) == 5 and code.isdigit():
            condition |= Q(codes_postaux__contains=code)
        return communes.filter(condition)
    return communes.search(query)


@access("signed_in")
def communes_suggest(request: HttpRequest) -> JsonResponse:
    """Communes of the référentiel matching a name or a code INSEE, for the forms' autocomplete.

    At most 10, the exact code first then the most populated; one query. Fewer than 2 characters
    give no result (every commune would match).
    """
    query = request.GET.get("q", "").strip()[:100]
    results: list[dict[str, str]] = []
    if len(query) >= 2:
        rows = (
            _communes_matching(query)
            .annotate(exact=Case(When(code=query.upper(), then=Value(0)), default=Value(1)))
            .order_by("exact", F("population").desc(nulls_last=True), "nom")
            .values_list("code", "nom", "departement_code")[:COMMUNE_SUGGESTIONS]
        )
        results = [
            {"code": code, "nom": nom, "departement": dep, "label": f"{nom} ({dep}) – {code}"}
            for code, nom, dep in rows
        ]
    response = JsonResponse({"q": query, "results": results})
    response["Cache-Control"] = "private, max-age=300"
    return response


@access("signed_in")
def perimeter_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "territories/perimeters.html",
        {"perimeters": Perimeter.objects.filter(owner_id=request.user.pk)},
    )


@access("signed_in")
@require_POST
def perimeter_save(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:200]
    query = request.POST.get("query", "")[:2000]
    if not name:
        messages.error(request, "Donnez un nom au périmètre pour l'enregistrer.")
        return redirect(reverse("territories:targets") + "?" + query)
    base = slugify(name) or "perimetre"
    slug, suffix = base, 2
    while Perimeter.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    assert request.user.pk is not None  # login_required
    perimeter = Perimeter.objects.create(name=name, slug=slug, query=query, owner_id=request.user.pk)
    messages.success(
        request,
        f"Périmètre « {perimeter.name} » enregistré. Adresse à partager : "
        f"{settings.SITE_URL}{perimeter.get_absolute_url()}",
    )
    return redirect(reverse("territories:targets") + "?" + query)


@access("public")
def perimeter_open(request: HttpRequest, slug: str) -> HttpResponseRedirect:
    # A saved perimeter is a named, shareable address of the ciblage page; the référentiel is public.
    perimeter = get_object_or_404(Perimeter, slug=slug)
    return redirect(reverse("territories:targets") + "?" + perimeter.query)
