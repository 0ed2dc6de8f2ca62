"""API of indicators and history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from odl.observatory.indicators import (
    IndicatorError,
    dashboard_figures,
    history,
    pick_snapshot,
    snapshot_info,
)
from odl.observatory.models import Snapshot
from odl.observatory.views import perimeter_label
from odl.territories.targeting import CriteriaError, build_criteria

router = Router(tags=["Observatoire : indicateurs"])


class PerimeterQuery(Schema):
    region: list[str] = []
    departement: list[str] = []
    epci: list[str] = []
    date: str | None = None


def _criteria(query: PerimeterQuery) -> Any:
    try:
        return build_criteria(regions=query.region, departements=query.departement, epcis=query.epci)
    except CriteriaError as exc:
        raise HttpError(400, str(exc)) from exc


@router.get("/indicateurs", summary="Indicateurs d'un périmètre à la date d'un instantané")
def indicators(request: HttpRequest, query: Query[PerimeterQuery]) -> dict[str, Any]:
    """Ouvertes (toutes et parmi les obligées, dénominateur nommé), population couverte, répartitions par
    type, tranche de population et technologie, jeux dédoublonnés, SCDL, nouvelles et perdues. Sans
    périmètre : la France. ``date`` (AAAA-MM-JJ) choisit le dernier instantané à cette date ou avant."""
    import datetime as dt

    criteria = _criteria(query)
    try:
        day = dt.date.fromisoformat(query.date) if query.date else None
        snapshot = pick_snapshot(day)
    except ValueError as exc:
        raise HttpError(
            400, str(exc) if isinstance(exc, IndicatorError) else "date invalide : AAAA-MM-JJ"
        ) from exc
    return dashboard_figures(criteria, snapshot, perimeter_label(criteria))[0]


@router.get("/historique", summary="Un point par instantané pour un périmètre")
def indicators_history(request: HttpRequest, query: Query[PerimeterQuery]) -> list[dict[str, Any]]:
    return history(_criteria(query))


@router.get("/instantanes", summary="Liste des instantanés (éditions OpenDataFrance et moissonnages)")
def snapshots(request: HttpRequest) -> list[dict[str, Any]]:
    return [snapshot_info(s) for s in Snapshot.objects.order_by("date", "created_at")]
