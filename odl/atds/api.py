"""Public JSON API of the ATD network: who animates the programme where, and what each offers."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from odl.atds.models import Atd
from odl.core.pagination import MAX_PAGE

router = Router(tags=["Réseau des ATD"])

MAX_PAGE_SIZE = 200


class ErrorOut(Schema):
    detail: str


class PerimeterPart(Schema):
    kind: str
    code: str
    nom: str


class OfferOut(Schema):
    animation: bool
    formation: bool
    outils: bool
    portail_mutualise: bool
    precisions: str


class ContactOut(Schema):
    nom: str
    courriel: str
    telephone: str
    site_web: str


class AtdOut(Schema):
    slug: str
    nom: str
    type: str
    type_libelle: str
    structure_siren: str
    structure_nom: str
    perimetre: list[PerimeterPart]
    offre: OfferOut
    contact: ContactOut
    etd_count: int
    demonstration: bool


class AtdPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AtdOut]


def check_page(page: int, page_size: int, maximum: int = MAX_PAGE_SIZE) -> int:
    """The offset of the page, or a 400 in French naming the faulty parameter."""
    if not 1 <= page <= MAX_PAGE:
        # A page past MAX_PAGE would give SQLite an OFFSET it cannot hold (a 500 before).
        raise HttpError(400, f"page : « {page} » doit être compris entre 1 et {MAX_PAGE}.")
    if not 1 <= page_size <= maximum:
        raise HttpError(400, f"page_size : « {page_size} » doit être compris entre 1 et {maximum}.")
    return (page - 1) * page_size


def atd_json(atd: Atd) -> dict[str, Any]:
    structure = atd.structure
    return {
        "slug": atd.slug,
        "nom": atd.name,
        "type": atd.kind,
        "type_libelle": atd.get_kind_display(),
        "structure_siren": structure.siren if structure else atd.structure_siren,
        "structure_nom": structure.nom if structure else "",
        "perimetre": [{"kind": t.kind, "code": t.code, "nom": t.nom} for t in atd.areas.all()],
        "offre": {
            "animation": atd.offer_animation,
            "formation": atd.offer_formation,
            "outils": atd.offer_outils,
            "portail_mutualise": atd.offer_portail,
            "precisions": atd.offer_text,
        },
        "contact": {
            "nom": atd.contact_name,
            "courriel": atd.contact_email,
            "telephone": atd.contact_phone,
            "site_web": atd.website,
        },
        "etd_count": atd.etd_count,  # type: ignore[attr-defined]
        "demonstration": atd.demo,
    }


def _atds() -> Any:
    return (
        Atd.objects.select_related("structure")
        .prefetch_related("areas")
        .annotate(etd_count=Count("etds", distinct=True))
        .order_by("name")
    )


@router.get(
    "/atds",
    response={200: AtdPage, 400: ErrorOut},
    summary="Les ATD du réseau",
    description=(
        "Animateurs Territoriaux des Données : nom, type de structure, SIREN de la structure porteuse, "
        "périmètre (régions, départements, EPCI), offre d'accompagnement, contact et nombre de "
        "collectivités accompagnées (ETD). Public. Paginé : page (à partir de 1) et page_size "
        f"(1 à {MAX_PAGE_SIZE})."
    ),
)
def list_atds(request: HttpRequest, page: int = 1, page_size: int = 50) -> Any:
    start = check_page(page, page_size)
    qs = _atds()
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "results": [atd_json(atd) for atd in qs[start : start + page_size]],
    }


@router.get(
    "/atds/{slug}",
    response={200: AtdOut, 404: ErrorOut},
    summary="Un ATD",
    description="Les champs publics d'un ATD, désigné par son identifiant d'adresse (slug).",
)
def get_atd(request: HttpRequest, slug: str) -> Any:
    return atd_json(get_object_or_404(_atds(), slug=slug))
