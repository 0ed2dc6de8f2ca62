"""The ETD pipeline: adding collectivités to an ATD's follow-up, and the rows its board and table show.

Everything here runs a fixed number of queries whatever the number of ETDs: an ATD may follow
hundreds of collectivités, and adding a whole département's list is one click.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

from odl.atds.models import Atd
from odl.core.text import fold
from odl.programme.models import (
    PIPELINE,
    Commitment,
    CommitmentStatus,
    Etd,
    EtdQuerySet,
    EtdStep,
    EtdStepChange,
)
from odl.territories.models import Territory

ADDED_NOTE = "ajoutée au suivi depuis le ciblage"


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    # Name of a newly added collectivité → names of the other ATDs that already follow it.
    shared: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        def names(items: list[str], limit: int = 5) -> str:
            shown = ", ".join(items[:limit])
            return shown + (f" et {len(items) - limit} autres" if len(items) > limit else "")

        def s(items: list[str]) -> str:
            # French keeps 0 and 1 singular.
            return "s" if len(items) > 1 else ""

        added, already = self.added, self.already
        parts = [f"{len(added)} collectivité{s(added)} ajoutée{s(added)}"]
        if already:
            parts.append(f"{len(already)} déjà suivie{s(already)}")
        if self.outside:
            parts.append(f"{len(self.outside)} hors périmètre ({names(self.outside)})")
        text = ", ".join(parts) + "."
        if self.shared:
            flagged = [f"{name} (aussi suivie par {', '.join(atds)})" for name, atds in self.shared.items()]
            text += f" À coordonner : {names(flagged)}."
        return text


@transaction.atomic
def add_to_followup(atd: Atd, territory_ids: Iterable[int], *, by: Any) -> AddReport:
    """Follow these collectivités: outside the perimeter is refused, already followed is skipped,
    followed by another ATD is added and reported (both ATDs then see the flag)."""
    wanted = list(dict.fromkeys(int(pk) for pk in territory_ids))
    report = AddReport()
    if not wanted:
        return report
    names = dict(
        Territory.objects.collectivites().filter(pk__in=wanted).order_by("nom").values_list("pk", "nom")
    )
    inside = set(atd.territories_inside().filter(pk__in=list(names)).values_list("pk", flat=True))
    followed = set(atd.etds.filter(territory_id__in=list(names)).values_list("territory_id", flat=True))
    new_ids = []
    for pk, nom in sorted(names.items(), key=lambda item: fold(item[1])):
        if pk in followed:
            report.already.append(nom)
        elif pk not in inside:
            report.outside.append(nom)
        else:
            new_ids.append(pk)
            report.added.append(nom)
    now = timezone.now()
    Etd.objects.bulk_create(
        [Etd(atd=atd, territory_id=pk, step_changed_at=now, created_by=by) for pk in new_ids]
    )
    created = list(atd.etds.filter(territory_id__in=new_ids).values_list("pk", flat=True))
    EtdStepChange.objects.bulk_create(
        [EtdStepChange(etd_id=pk, step=EtdStep.CIBLEE, at=now, by=by, note=ADDED_NOTE) for pk in created]
    )
    for territory_id, other in others_following(atd, new_ids).items():
        report.shared[names[territory_id]] = other
    return report


def others_following(atd: Atd, territory_ids: Iterable[int]) -> dict[int, list[str]]:
    """Territory id → names of the other ATDs that follow it (one query)."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = (
        Etd.objects.filter(territory_id__in=list(territory_ids))
        .exclude(atd=atd)
        .order_by("atd__name")
        .values_list("territory_id", "atd__name")
    )
    for territory_id, name in rows:
        out[territory_id].append(name)
    return dict(out)


def with_facts(etds: EtdQuerySet | QuerySet[Etd]) -> QuerySet[Etd]:
    """What a card or a row shows, without a query per ETD.

    Correlated subqueries rather than JOIN + GROUP BY: the table's count and filters stay plain
    queries on Etd, which PostgreSQL and SQLite both plan well with the commitment's etd index.
    """
    today = timezone.localdate()
    commitments = Commitment.objects.filter(etd=OuterRef("pk")).order_by().values("etd")
    overdue = commitments.filter(due_date__lt=today).exclude(status=CommitmentStatus.TENU)
    return etds.select_related("territory").annotate(
        commitment_count=Coalesce(Subquery(commitments.annotate(n=Count("pk")).values("n")), 0),
        overdue_count=Coalesce(Subquery(overdue.annotate(n=Count("pk")).values("n")), 0),
    )


def overdue_counts(etd_ids: list[int]) -> dict[int, int]:
    """ETD id → its commitments past their due date and not met, in one grouped query."""
    if not etd_ids:
        return {}
    rows = (
        Commitment.objects.filter(etd_id__in=etd_ids, due_date__lt=timezone.localdate())
        .exclude(status=CommitmentStatus.TENU)
        .order_by()
        .values_list("etd_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


class CardTerritory(NamedTuple):
    nom: str
    population: int | None


@dataclass(slots=True)
class BoardEtd:
    """What a board card reads of an ETD: a row of values rather than a model instance, since
    building hundreds of Etd and Territory instances was a good part of the board's time."""

    pk: int
    step: str
    step_changed_at: dt.datetime
    abandon_reason: str
    territory_id: int
    territory: CardTerritory
    overdue_count: int = 0


E = TypeVar("E", Etd, BoardEtd)


@dataclass
class Card(Generic[E]):
    etd: E
    days: int
    shared_with: list[str]
    url: str
    move_url: str
    # The pk as text: the board prints it in several ids, and each number printed by a template
    # goes through localisation.
    key: str


def cards(atd: Atd, etds: Iterable[E]) -> list[Card[E]]:
    etds = list(etds)
    now = timezone.now()
    shared = others_following(atd, [e.territory_id for e in etds])
    # reverse() once, not once per card: the board may hold hundreds.
    page = reverse("programme:etd", args=[atd.slug, 0]).replace("/0/", "/{}/")
    move = reverse("programme:move", args=[atd.slug, 0]).replace("/0/", "/{}/")
    return [
        Card(
            etd=e,
            days=(now - e.step_changed_at).days,
            shared_with=shared.get(e.territory_id, []),
            url=page.format(e.pk),
            move_url=move.format(e.pk),
            key=str(e.pk),
        )
        for e in etds
    ]


def next_step(current: str) -> str | None:
    """The step an ETD usually moves to from ``current``: the next column of the board (none after the
    last one, nor from abandon, where any move is a deliberate choice)."""
    if current not in PIPELINE:
        return None
    at = PIPELINE.index(EtdStep(current))
    return PIPELINE[at + 1].value if at + 1 < len(PIPELINE) else None


def step_options(current: str) -> str:
    """The <option>s of a "move to" select: every step but the current one, the next step selected
    (otherwise the browser selects the first, « Ciblée », and a hurried click moves the ETD back)."""
    following = next_step(current)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((s.value, " selected" if s == following else "", s.label) for s in EtdStep if s != current),
    )


BOARD_FIELDS = (
    "pk",
    "step",
    "step_changed_at",
    "abandon_reason",
    "territory_id",
    "territory__nom",
    "territory__population",
)


# Cards shown per column, those longest at their step first; the table lists every one. A column of
# hundreds of cards is neither readable nor usable with a keyboard, and the page must stay fast.
BOARD_COLUMN_LIMIT = 40


def board_columns(atd: Atd, limit: int | None = None) -> list[dict[str, Any]]:
    """The board: one column per step of the pipeline, abandon last."""
    limit = BOARD_COLUMN_LIMIT if limit is None else limit
    by_step: dict[str, list[Card[BoardEtd]]] = defaultdict(list)
    counts = dict(atd.etds.order_by().values_list("step").annotate(n=Count("pk")))
    ranked = atd.etds.annotate(
        rank=Window(
            RowNumber(), partition_by=[F("step")], order_by=[F("step_changed_at").asc(), F("pk").asc()]
        )
    )
    # Filtering on a window function needs Django ≥ 4.2: one query on SQLite and PostgreSQL. The
    # commitment counts are not annotated here: their subqueries would run for every ETD of the ATD
    # before the rank filter, where one grouped query on the shown cards is enough.
    rows = ranked.filter(rank__lte=limit).order_by("step_changed_at", "territory__nom")
    shown = [
        BoardEtd(pk, step, changed, reason, territory_id, CardTerritory(nom, population))
        for pk, step, changed, reason, territory_id, nom, population in rows.values_list(*BOARD_FIELDS)
    ]
    overdue = overdue_counts([e.pk for e in shown])
    for etd in shown:
        etd.overdue_count = overdue.get(etd.pk, 0)
    for card in cards(atd, shown):
        by_step[card.etd.step].append(card)
    steps = [*PIPELINE, EtdStep.ABANDON]
    return [
        {
            "step": step,
            "label": EtdStep(step).label,
            "cards": by_step.get(step, []),
            "count": counts.get(step, 0),
            # Where a card of this column may go: every other step, rendered once per column.
            "options": step_options(step),
        }
        for step in steps
    ]


TABLE_SORTS = {
    "nom": "territory__nom",
    "type": "territory__kind",
    "population": "territory__population",
    "departement": "territory__departement_code",
    "etape": "step",
    "depuis": "step_changed_at",
    "engagements": "commitment_count",
    "retard": "overdue_count",
}


@dataclass(frozen=True)
class TableFilters:
    step: str = ""
    kind: str = ""
    departement: str = ""
    query: str = ""
    sort: str = "nom"

    @classmethod
    def from_params(cls, params: Any) -> TableFilters:
        step = params.get("etape", "")
        sort = params.get("tri", "nom")
        return cls(
            step=step if step in EtdStep.values else "",
            kind=params.get("type", "")[:32],
            departement=params.get("departement", "").strip().upper()[:3],
            query=params.get("q", "").strip()[:200],
            sort=sort if sort.lstrip("-") in TABLE_SORTS else "nom",
        )

    def as_params(self, **overrides: str) -> dict[str, str]:
        values = {"etape": self.step, "type": self.kind, "departement": self.departement, "q": self.query}
        values["tri"] = self.sort
        values.update(overrides)
        return {k: v for k, v in values.items() if v}


def table_rows(atd: Atd, filters: TableFilters) -> QuerySet[Etd]:
    qs = atd.etds.all()
    if filters.step:
        qs = qs.filter(step=filters.step)
    if filters.kind:
        qs = qs.filter(territory__kind=filters.kind)
    if filters.departement:
        qs = qs.filter(territory__departement_code=filters.departement)
    if filters.query:
        # search_text is already folded: « saint etienne » finds Saint-Étienne.
        qs = qs.filter(territory__search_text__contains=fold(filters.query))
    key = filters.sort.lstrip("-")
    order = ("-" if filters.sort.startswith("-") else "") + TABLE_SORTS[key]
    return with_facts(qs).order_by(order, "territory__nom", "pk")


EXPORT_HEADER = [
    "nom",
    "type",
    "code",
    "siren",
    "population",
    "departement",
    "etape",
    "depuis",
    "jours_dans_etape",
    "engagements",
    "engagements_en_retard",
    "aussi_suivie_par",
    "raison_abandon",
]


def export_rows(atd: Atd, etds: Iterable[Etd]) -> list[list[Any]]:
    return [
        [
            c.etd.territory.nom,
            c.etd.territory.kind,
            c.etd.territory.code,
            c.etd.territory.siren,
            c.etd.territory.population,
            c.etd.territory.departement_code,
            c.etd.get_step_display(),
            timezone.localtime(c.etd.step_changed_at).date().isoformat(),
            c.days,
            c.etd.commitment_count,  # type: ignore[attr-defined]
            c.etd.overdue_count,  # type: ignore[attr-defined]
            ", ".join(c.shared_with),
            c.etd.abandon_reason,
        ]
        for c in cards(atd, etds)
    ]
