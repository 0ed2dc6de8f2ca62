"""JSON API of the programme for signed-in members: an ATD's pipeline, commitments and meetings.

Session authentication (the platform's sign-in cookie); only the ATD's team and national
coordinators may read an ATD's follow-up, as on its pages (``odl.accounts.roles.can_follow``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from odl.accounts.roles import can_follow
from odl.atds.api import ErrorOut, check_page
from odl.atds.models import Atd
from odl.programme.models import Commitment, Etd, Meeting


class MemberSession(SessionAuth):
    """The sign-in cookie; an anonymous caller gets a 401 that says, in French, what to do."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return request.user
        raise HttpError(401, "Connectez-vous à la plateforme pour lire le suivi d'un ATD.")


router = Router(tags=["Suivi des ATD (membres connectés)"], auth=MemberSession())

DESCRIPTION = (
    " Réservé à l'équipe de l'ATD et à la coordination nationale, connectés (cookie de session) : un "
    "visiteur reçoit 401, un autre compte 403. Paginé : page (à partir de 1) et page_size (1 à 200)."
)


def followed_atd(request: HttpRequest, slug: str) -> Atd:
    atd = Atd.objects.filter(slug=slug).first()
    if atd is None:
        raise HttpError(404, f"ATD inconnu : « {slug} ».")
    if not can_follow(request.user, atd):
        raise HttpError(
            403, f"Le suivi de l'ATD « {atd.name} » est réservé à son équipe et à la coordination."
        )
    return atd


def paged(
    qs: QuerySet[Any], page: int, page_size: int, row: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of a follow-up list, each object turned into its JSON by ``row``."""
    start = check_page(page, page_size)
    results = [row(obj) for obj in qs[start : start + page_size]]
    return {"count": qs.count(), "page": page, "page_size": page_size, "results": results}


Route = Callable[[Callable[..., Any]], Callable[..., Any]]


def follow_up(part: str, page_schema: Any, summary: str, description: str) -> Route:
    """The route of one follow-up list, with every answer it may give documented."""
    route: Route = router.get(
        f"/suivi/{{slug}}/{part}",
        response={200: page_schema, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary=summary,
        description=description + DESCRIPTION,
    )
    return route


class StepChangeOut(Schema):
    etape: str
    le: dt.datetime
    par: str
    note: str


class EtdOut(Schema):
    id: int
    collectivite: str
    type: str
    code: str
    siren: str
    etape: str
    etape_libelle: str
    depuis_le: dt.datetime
    raison_abandon: str
    ajoutee_le: dt.datetime
    historique: list[StepChangeOut]


class EtdPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EtdOut]


class CommitmentOut(Schema):
    id: int
    etd_id: int
    collectivite: str
    type: str
    libelle: str
    schema_scdl: str
    echeance: dt.date | None
    statut: str
    statut_libelle: str
    statut_fixe_par: str
    tenu_le: dt.date | None
    preuve_lien: str


class CommitmentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CommitmentOut]


class AttendanceOut(Schema):
    etd_id: int
    collectivite: str
    presence: str


class MeetingOut(Schema):
    id: int
    titre: str
    debut: dt.datetime
    duree_minutes: int
    lieu: str
    ordre_du_jour: str
    serie: str
    presences: list[AttendanceOut]


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingOut]


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def etd_json(etd: Etd) -> dict[str, Any]:
    return {
        "id": etd.pk,
        "collectivite": etd.territory.nom,
        "type": etd.territory.kind,
        "code": etd.territory.code,
        "siren": etd.territory.siren,
        "etape": etd.step,
        "etape_libelle": etd.get_step_display(),
        "depuis_le": etd.step_changed_at,
        "raison_abandon": etd.abandon_reason,
        "ajoutee_le": etd.created_at,
        "historique": [
            {"etape": h.step, "le": h.at, "par": _name(h.by), "note": h.note} for h in etd.history.all()
        ],
    }


def commitment_json(c: Commitment) -> dict[str, Any]:
    return {
        "id": c.pk,
        "etd_id": c.etd_id,
        "collectivite": c.etd.territory.nom,
        "type": c.kind,
        "libelle": c.label,
        "schema_scdl": c.schema_id,
        "echeance": c.due_date,
        "statut": c.status,
        "statut_libelle": c.get_status_display(),
        "statut_fixe_par": c.status_set_by,
        "tenu_le": c.met_at,
        "preuve_lien": c.evidence_url,
    }


def meeting_json(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "titre": m.title,
        "debut": m.starts_at,
        "duree_minutes": m.duration_minutes,
        "lieu": m.location,
        "ordre_du_jour": m.agenda,
        "serie": m.series,
        "presences": [
            {"etd_id": a.etd_id, "collectivite": a.etd.territory.nom, "presence": a.status}
            for a in m.attendances.all()
        ],
    }


@follow_up(
    "etds",
    EtdPage,
    "Les collectivités accompagnées par un ATD",
    "Chaque ETD avec son étape, sa date et l'historique daté et signé des étapes.",
)
def list_etds(request: HttpRequest, slug: str, page: int = 1, page_size: int = 50) -> Any:
    etds = Etd.objects.filter(atd=followed_atd(request, slug)).select_related("territory")
    qs = etds.prefetch_related("history__by").order_by("territory__nom", "pk")
    return paged(qs, page, page_size, etd_json)


@follow_up(
    "engagements",
    CommitmentPage,
    "Les engagements des collectivités d'un ATD",
    "Chaque engagement avec son échéance, son statut (à faire, en cours, tenu, en retard) et sa preuve.",
)
def list_commitments(request: HttpRequest, slug: str, page: int = 1, page_size: int = 50) -> Any:
    commitments = Commitment.objects.filter(etd__atd=followed_atd(request, slug))
    qs = commitments.select_related("etd__territory").order_by("due_date", "pk")
    return paged(qs, page, page_size, commitment_json)


@follow_up(
    "reunions",
    MeetingPage,
    "Les réunions d'un ATD",
    "Les points mensuels et autres réunions, avec la présence de chaque collectivité.",
)
def list_meetings(request: HttpRequest, slug: str, page: int = 1, page_size: int = 50) -> Any:
    meetings = Meeting.objects.filter(atd=followed_atd(request, slug))
    qs = meetings.prefetch_related("attendances__etd__territory").order_by("starts_at", "pk")
    return paged(qs, page, page_size, meeting_json)
