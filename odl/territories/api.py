"""JSON API for the référentiel and the ciblage (mounted under /api/ with an OpenAPI description)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from odl.core.pagination import MAX_PAGE, paginate
from odl.territories.models import Kind, Territory
from odl.territories.obligation import Rule, evaluate
from odl.territories.targeting import EXPORT_COLUMNS, CriteriaError, build_criteria, cached_targets

router = Router(tags=["Référentiel et ciblage"])


class ErrorOut(Schema):
    detail: str


class TerritoryOut(Schema):
    kind: str
    code: str
    siren: str
    nom: str
    nature: str
    zone: str
    population: int | None
    millesime: int | None
    departement: str
    region: str
    epci_siren: str | None
    agents: int | None
    obligation: str
    raison: str
    url: str


class TerritoryPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TerritoryOut]


class TargetRow(Schema):
    kind: str
    code: str
    siren: str
    nom: str
    population: int | None
    millesime: int | None
    departement: str
    region: str
    epci_siren: str
    obligation: str
    raison: str


class TargetsOut(Schema):
    criteria: dict[str, Any]
    summary: dict[str, Any]
    count: int
    rows: list[TargetRow]


class TargetsQuery(Schema):
    region: list[str] = []
    departement: list[str] = []
    epci: list[str] = []
    kind: list[str] = []
    threshold: str | None = None
    min_population: str | None = None
    max_population: str | None = None
    all: bool = False
    q: str = ""
    sort: str = ""


def _default_rule() -> Rule:
    return build_criteria(check_codes=False).rule


def _territory_json(t: Territory, rule: Rule) -> dict[str, Any]:
    status, reason = evaluate(
        t.kind,
        t.population,
        t.agents,
        t.zone,
        t.exercised_by,
        rule,
        band=t.agents_band,
        band_year=t.agents_band_year,
    )
    return {
        "kind": t.kind,
        "code": t.code,
        "siren": t.siren,
        "nom": t.nom,
        "nature": t.nature,
        "zone": t.zone,
        "population": t.population,
        "millesime": t.population_millesime,
        "departement": t.departement_code,
        "region": t.region_code,
        "epci_siren": t.epci.siren if t.epci_id and t.epci else None,
        "agents": t.agents,
        "obligation": status.value,
        "raison": reason,
        "url": t.get_absolute_url(),
    }


def _error(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(
        json.dumps({"detail": message}, ensure_ascii=False), status=status, content_type="application/json"
    )


@router.get(
    "/territories", response={200: TerritoryPage, 400: ErrorOut}, summary="Collectivités du référentiel"
)
def list_territories(
    request: HttpRequest,
    kind: str | None = None,
    q: str = "",
    region: str | None = None,
    departement: str | None = None,
    page: int = 1,
    page_size: int = 100,
) -> Any:
    if kind and kind not in Kind.values:
        return _error(f"Type inconnu : « {kind} ». Types : {', '.join(Kind.values)}.")
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= 1000:
        return _error("page doit être entre 1 et 1 000 000 et page_size entre 1 et 1000.")
    qs = Territory.objects.active().select_related("epci")
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region_code=region)
    if departement:
        qs = qs.filter(departement_code=departement.upper())
    qs = qs.search(q).order_by("kind", "code")
    rule = _default_rule()
    return paginate(qs, page, page_size, lambda t: _territory_json(t, rule))


@router.get(
    "/territories/{kind}/{code}", response={200: TerritoryOut, 404: ErrorOut}, summary="Une collectivité"
)
def get_territory(request: HttpRequest, kind: str, code: str) -> Any:
    territory = get_object_or_404(Territory.objects.select_related("epci"), kind=kind, code=code)
    return _territory_json(territory, _default_rule())


@router.get(
    "/targets",
    response={200: TargetsOut, 400: ErrorOut},
    summary="Collectivités obligées d'un périmètre",
    description=(
        "Mêmes critères que la page de ciblage et que « odl targets ». Plusieurs region, departement "
        "et epci se cumulent (union)."
    ),
)
def targets(request: HttpRequest, filters: Query[TargetsQuery]) -> Any:
    try:
        criteria = build_criteria(
            regions=filters.region,
            departements=filters.departement,
            epcis=filters.epci,
            kinds=filters.kind,
            threshold=filters.threshold,
            min_population=filters.min_population,
            max_population=filters.max_population,
            include_all=filters.all,
            query=filters.q,
            sort=filters.sort,
        )
    except CriteriaError as exc:
        return _error(str(exc))
    result = cached_targets(criteria)
    payload = {
        "criteria": {
            "regions": criteria.regions,
            "departements": criteria.departements,
            "epcis": criteria.epcis,
            "kinds": criteria.kinds,
            "threshold": criteria.threshold,
            "min_population": criteria.min_population,
            "max_population": criteria.max_population,
            "all": criteria.include_all,
            "rule": criteria.rule.describe(),
        },
        "summary": result.summary,
        "count": len(result.rows),
        "rows": [{col: row[col] for col in EXPORT_COLUMNS} for row in result.rows],
    }
    # Serialised directly with orjson: validating 4,600 rows through pydantic would triple the time.
    return HttpResponse(orjson.dumps(payload), content_type="application/json")
