"""The figures of the programme's dashboards: one ATD's, its yearly report's, and every ATD side by side.

The same functions feed the web pages, the activity report and the coordinator's export, so an élu
reading the report and a coordinator reading the table see the same numbers. Programme figures come
from the platform's own follow-up (steps, conventions, commitments, meetings); publication figures
come from the observatory's snapshots, with their source and date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from odl.atds.models import Atd
from odl.observatory import geo, shape_geometry, shapes
from odl.observatory.indicators import (
    IndicatorError,
    history,
    load_entries,
    load_records,
    measure,
    pick_snapshot,
    snapshot_info,
)
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.programme.models import (
    PIPELINE,
    Attendance,
    AttendanceStatus,
    Commitment,
    CommitmentStatus,
    Convention,
    ConventionStatus,
    Etd,
    EtdStep,
    EtdStepChange,
    Meeting,
)
from odl.territories.models import Kind, Territory
from odl.territories.perimeters import Places
from odl.territories.targeting import Criteria

STEPS = [*PIPELINE, EtdStep.ABANDON]
STEP_LABELS = {step.value: str(step.label) for step in STEPS}
RECENT_MEETINGS_DAYS = 90

PROGRAMME_SOURCE = "Suivi de l'accompagnement saisi sur la plateforme OpenDataLocale par l'équipe de l'ATD"
FUNNEL_METHOD = (
    "Chaque collectivité accompagnée compte une fois, à l'étape où elle se trouve ; les abandons sont "
    "comptés à part."
)
OVERDUE_METHOD = "Engagements pas encore tenus dont l'échéance est passée."
RATE_METHOD = (
    "Part des collectivités obligées du périmètre de l'ATD (communes, EPCI, départements, régions) qui "
    "publient au moins un jeu de données sous leur propre nom, d'après chaque instantané de l'Observatoire."
)


def etd_url(etd: Etd) -> str:
    """The ETD's page in the pipeline, or its collectivité's page where the pipeline is not installed."""
    try:
        return etd.get_absolute_url()
    except NoReverseMatch:
        # The pipeline's pages are another part of the programme: until they exist, link the territory.
        return etd.territory.get_absolute_url()


def criteria_of(atd: Atd) -> Criteria:
    area = atd.area()
    return Criteria(
        regions=area.regions,
        departements=area.departements,
        epcis=area.epcis,
        threshold=settings.ODL_POPULATION_THRESHOLD,
    )


def rows_query(criteria: Criteria, snapshot: Snapshot) -> str:
    """The observatory's query string for this perimeter at this snapshot (its raw rows, its lists)."""
    query = criteria.as_query()
    day = f"date={snapshot.date.isoformat()}"
    return f"{query}&{day}" if query else day


# --- One ATD ------------------------------------------------------------------------------------------


def funnel(etds: QuerySet[Etd]) -> list[dict[str, Any]]:
    counts = dict(etds.order_by().values_list("step").annotate(n=Count("pk")))
    return [{"step": s.value, "label": STEP_LABELS[s.value], "count": counts.get(s.value, 0)} for s in STEPS]


def overdue_commitments(atd: Atd, today: dt.date | None = None) -> list[Commitment]:
    return list(
        Commitment.objects.filter(etd__atd=atd)
        .overdue(today)
        .select_related("etd__territory", "etd__atd")
        .order_by("due_date", "pk")
    )


def next_meetings(atd: Atd, limit: int = 5) -> list[Meeting]:
    return list(
        Meeting.objects.filter(atd=atd, starts_at__gte=timezone.now())
        .annotate(invited=Count("attendances"))
        .order_by("starts_at")[:limit]
    )


# The publication states of the dashboard's map, from the latest snapshot; colours are the legend's.
STATE_SCDL = "scdl"
STATE_PUBLIE = "publie"
STATE_NONE = "pas_encore"
PUBLICATION_STATES = [
    {"key": STATE_SCDL, "label": "publie des jeux SCDL", "colour": "#08306b"},
    {"key": STATE_PUBLIE, "label": "publie, sans jeu SCDL", "colour": "#6baed6"},
    {"key": STATE_NONE, "label": "ne publie pas encore", "colour": "#f3e6d8"},
]
STATE_LABELS = {row["key"]: row["label"] for row in PUBLICATION_STATES}
MAP_METHOD = (
    "Une collectivité « publie » quand l'instantané compte au moins un jeu de données publié sous son "
    "propre nom ; « SCDL » quand l'un de ces jeux déclare un schéma du socle commun (SCDL)."
)


@dataclass
class EtdPublication:
    etd: Etd
    url: str
    is_open: bool
    datasets: int
    schemas: list[str]

    @property
    def state(self) -> str:
        if not self.is_open:
            return STATE_NONE
        return STATE_SCDL if self.schemas else STATE_PUBLIE

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Publication:
    snapshot: Snapshot | None
    rows: list[EtdPublication]
    by_departement: list[tuple[str, str, list[EtdPublication]]] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for row in self.rows if row.is_open)


def publication(
    atd: Atd, snapshot: Snapshot | None = None, created_by: dt.datetime | None = None
) -> Publication:
    """Each active ETD in the latest snapshot (or in ``snapshot``): open or not, how many datasets,
    which SCDL schemas; ``created_by`` keeps the ETDs followed by then (the yearly report)."""
    etds_qs = Etd.objects.filter(atd=atd).active().select_related("territory", "atd")
    if created_by is not None:
        etds_qs = etds_qs.filter(created_at__lte=created_by)
    etds = list(etds_qs)
    if snapshot is None:
        snapshot = Snapshot.objects.order_by("-date", "-created_at").first()
    entries: dict[int, SnapshotEntry] = {}
    if snapshot is not None:
        entries = {
            e.territory_id: e
            for e in SnapshotEntry.objects.filter(
                snapshot=snapshot, territory_id__in=[etd.territory_id for etd in etds]
            )
            if e.territory_id is not None
        }
    rows = []
    for etd in etds:
        entry = entries.get(etd.territory_id)
        rows.append(
            EtdPublication(
                etd=etd,
                url=etd_url(etd),
                is_open=bool(entry and entry.is_open),
                datasets=entry.datasets_count if entry else 0,
                schemas=list(entry.schemas) if entry else [],
            )
        )
    groups: dict[str, list[EtdPublication]] = defaultdict(list)
    for row in rows:
        groups[row.etd.territory.departement_code].append(row)
    names = dict(
        Territory.objects.filter(kind=Kind.DEPARTEMENT, code__in=list(groups)).values_list("code", "nom")
    )
    by_departement = [(code, names.get(code, code), groups[code]) for code in sorted(groups)]
    return Publication(snapshot, rows, by_departement)


def map_payload(atd: Atd, result: Publication, synced: bool) -> dict[str, Any]:
    """What the dashboard's map draws (a ``json_script`` payload): every active ETD with its publication
    state and step, and the départements it stands in: their real shapes with a point per ETD inside its
    département's (offline, no background tiles), and their tiles for the grid the map falls back to.

    The accessible table beside the map is rendered from the same ``Publication`` rows, so the map
    and its text alternative cannot disagree.
    """
    steps = {s.value: n for n, s in enumerate(STEPS, start=1)}
    etds = [
        {
            "id": row.etd.pk,
            "kind": row.etd.territory.kind,
            "code": row.etd.territory.code,
            "nom": row.etd.territory.nom,
            "departement": row.etd.territory.departement_code,
            "step": row.etd.step,
            "step_label": STEP_LABELS[row.etd.step],
            "step_number": steps[row.etd.step],
            "state": row.state,
            "state_label": row.state_label,
            "datasets": row.datasets,
            "schemas": row.schemas,
            "url": row.etd.territory.get_absolute_url(),
            "etd_url": row.url,
        }
        for row in result.rows
    ]
    # The ATD's own départements are drawn even when empty, so the map shows where it may still recruit.
    wanted = {e["departement"] for e in etds if e["departement"]}
    if atd.areas.exists():
        wanted |= set(
            atd.territories_inside()
            .exclude(departement_code="")
            .order_by()
            .values_list("departement_code", flat=True)
            .distinct()
        )
    cells = [
        {"code": c["code"], "nom": c["nom"], "x": c["x"], "y": c["y"]}
        for c in geo.grid_cells("departement")
        if c["code"] in wanted
    ]
    drawn, source = _departement_shapes(cells, etds)
    snapshot = result.snapshot
    return {
        "snapshot": (
            {"date": snapshot.date.isoformat(), "label": snapshot.label} if snapshot is not None else None
        ),
        "states": PUBLICATION_STATES,
        "steps": [
            {"key": s.value, "label": STEP_LABELS[s.value], "number": steps[s.value]} for s in PIPELINE
        ],
        "cells": cells,
        "shapes": drawn,
        "shapes_source": source,
        "etds": etds,
        "synced": synced,
        "contours_url": reverse("observatory:map_contours", args=["LAYER", "DEP"]),
    }


def _departement_shapes(
    cells: list[dict[str, Any]], etds: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The real shapes of the map's départements (the observatory's, from ``@gouvfr/dsfr-chart``), and a
    ``point`` inside its département's shape for each ETD (spread around the shape's label point).

    Without the package, or when a drawn département has no shape (a collectivité d'outre-mer), the
    shapes are left out and the map keeps its tile grid, where every département has its place.
    """
    for etd in etds:
        etd["point"] = None
    try:
        outlines = shape_geometry.departement_outlines()
        source = shape_geometry.source()
    except shapes.ShapesUnavailable:
        return [], None
    if not cells or any(cell["code"] not in outlines for cell in cells):
        return [], None
    by_departement: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for etd in etds:
        by_departement[etd["departement"]].append(etd)
    drawn = []
    for cell in cells:
        outline = outlines[cell["code"]]
        placed = by_departement.get(cell["code"], [])
        for etd, (x, y) in zip(placed, shape_geometry.spread(outline, len(placed)), strict=True):
            etd["point"] = [round(x, 2), round(y, 2)]
        x0, y0, x1, y1 = shape_geometry.bbox(outline)
        label = shape_geometry.label_point(outline)
        drawn.append(
            {
                "code": cell["code"],
                "nom": cell["nom"],
                "rings": shape_geometry.rounded(outline),
                "bbox": [round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)],
                "label": [round(label[0], 2), round(label[1], 2)],
            }
        )
    return drawn, source


@dataclass
class OpenRate:
    """The rate of open collectivités among the obliged of a perimeter, now and over time."""

    criteria: Criteria
    snapshot: Snapshot | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    points: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""

    @property
    def rows_query(self) -> str:
        return rows_query(self.criteria, self.snapshot) if self.snapshot else ""


def open_rate(atd: Atd, day: dt.date | None = None, with_history: bool = True) -> OpenRate:
    """The observatory's measure of the ATD's perimeter at ``day`` (latest snapshot when None)."""
    criteria = criteria_of(atd)
    result = OpenRate(criteria)
    if not atd.areas.exists():
        result.problem = "Le périmètre de l'ATD est vide : ajoutez-lui des régions, départements ou EPCI."
        return result
    try:
        snapshot = pick_snapshot(day)
    except IndicatorError as exc:
        result.problem = str(exc)
        return result
    # The records come from the ATD's own Area, which also knows communes given as a perimeter.
    records = load_records(atd.area().q(), criteria.rule)
    result.snapshot = snapshot
    result.figures = measure(criteria, snapshot, atd.name, records=records).as_dict()
    if with_history:
        result.points = [
            p for p in history(criteria, records) if day is None or p["snapshot"]["date"] <= day.isoformat()
        ]
    return result


# --- One year, for the activity report ---------------------------------------------------------------


@dataclass
class YearFigures:
    atd: Atd
    year: int
    as_of: dt.date
    steps: list[dict[str, Any]]
    conventions_signed: list[Convention]
    commitments_met: int
    commitments_overdue: int
    commitments_total: int
    meetings: list[dict[str, Any]]
    attendance: dict[str, int]
    rate: OpenRate
    publication: Publication | None = None

    @property
    def publication_states(self) -> list[dict[str, Any]]:
        """How many accompanied ETDs are in each publication state of the map's legend."""
        rows = self.publication.rows if self.publication else []
        counts = Counter(row.state for row in rows)
        return [{**state, "count": counts.get(state["key"], 0)} for state in PUBLICATION_STATES]

    @property
    def etds_total(self) -> int:
        return sum(row["count"] for row in self.steps)

    @property
    def attendance_rate(self) -> float | None:
        counted = sum(self.attendance.values())
        if not counted:
            return None
        return round(100 * self.attendance[AttendanceStatus.PRESENT] / counted, 1)


def steps_at(atd: Atd, moment: dt.datetime) -> list[dict[str, Any]]:
    """Where each ETD of the ATD stood at ``moment``: its last dated step change before it."""
    etds = dict(Etd.objects.filter(atd=atd, created_at__lte=moment).values_list("pk", "step_changed_at"))
    last: dict[int, str] = {}
    for etd_id, step in (
        EtdStepChange.objects.filter(etd_id__in=list(etds), at__lte=moment)
        .order_by("etd_id", "at", "pk")
        .values_list("etd_id", "step")
    ):
        last[etd_id] = step
    # An ETD added without a recorded change was « ciblée » from its creation.
    counts = Counter(last.get(etd_id, EtdStep.CIBLEE.value) for etd_id in etds)
    return [{"step": s.value, "label": STEP_LABELS[s.value], "count": counts.get(s.value, 0)} for s in STEPS]


def year_figures(atd: Atd, year: int, today: dt.date | None = None) -> YearFigures:
    today = today or timezone.localdate()
    as_of = min(dt.date(year, 12, 31), today)
    end = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    conventions = list(
        Convention.objects.filter(
            etd__atd=atd, status=ConventionStatus.SIGNEE, signed_at__year=year, signed_at__lte=as_of
        )
        .select_related("etd__territory")
        .order_by("signed_at", "pk")
    )
    commitments = Commitment.objects.filter(etd__atd=atd, created_at__lte=end)
    met = commitments.filter(met_at__year=year, met_at__lte=as_of).count()
    # Overdue at the end of the year: due before it and not met by then (met later still counts late).
    overdue = (
        commitments.filter(due_date__lt=as_of)
        .filter(Q(met_at__isnull=True) | Q(met_at__gt=as_of))
        .exclude(Q(status=CommitmentStatus.TENU) & Q(met_at__isnull=True))
        .count()
    )
    held = (
        Meeting.objects.filter(atd=atd, starts_at__gte=start, starts_at__lte=min(end, timezone.now()))
        .annotate(
            present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)),
            counted=Count("attendances"),
        )
        .order_by("starts_at")
    )
    meetings = [
        # Annotated counts: the custom manager hides them from the type checker.
        {"meeting": m, "present": m.present, "counted": m.counted}  # type: ignore[attr-defined]
        for m in held
    ]
    attendance = {s.value: 0 for s in AttendanceStatus}
    for status, n in (
        Attendance.objects.filter(meeting__in=[row["meeting"] for row in meetings])
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    ):
        attendance[status] = n
    rate = open_rate(atd, as_of)
    return YearFigures(
        atd=atd,
        year=year,
        as_of=as_of,
        steps=steps_at(atd, end),
        conventions_signed=conventions,
        commitments_met=met,
        commitments_overdue=overdue,
        commitments_total=commitments.count(),
        meetings=meetings,
        attendance=attendance,
        rate=rate,
        # The ETDs' publication in the snapshot the year's rate was read from, as the dashboard's map.
        publication=publication(atd, rate.snapshot, end) if rate.snapshot is not None else None,
    )


# --- Every ATD side by side ------------------------------------------------------------------------------


COORDINATION_COLUMNS = [
    ("nom", "ATD"),
    ("type", "Type"),
    *[(f"etape_{s.value}", f"ETD {STEP_LABELS[s.value].lower()}") for s in STEPS],
    ("etd_total", "ETD suivies"),
    ("conventions_signees", "Conventions signées"),
    ("engagements_tenus", "Engagements tenus"),
    ("engagements_en_retard", "Engagements en retard"),
    ("reunions_90_jours", f"Réunions ({RECENT_MEETINGS_DAYS} derniers jours)"),
    ("obligees", "Collectivités obligées du périmètre"),
    ("obligees_ouvertes", "dont ouvertes"),
    ("taux_ouverture", "Taux d'ouverture (%)"),
]
COORDINATION_SORTS = {key for key, _ in COORDINATION_COLUMNS}


@dataclass
class Coordination:
    rows: list[dict[str, Any]]
    snapshot: Snapshot | None
    snapshot_info: dict[str, Any] | None


def _per_atd(qs: QuerySet[Any], atd_field: str) -> dict[int, int]:
    return dict(qs.order_by().values_list(atd_field).annotate(n=Count("pk")))


def coordination(atds: Iterable[Atd], today: dt.date | None = None) -> Coordination:
    """One row per ATD, each figure computed in one query for every ATD at once."""
    today = today or timezone.localdate()
    atds = list(atds)
    steps: dict[int, Counter[str]] = defaultdict(Counter)
    for atd_id, step, n in Etd.objects.order_by().values_list("atd_id", "step").annotate(n=Count("pk")):
        steps[atd_id][step] = n
    signed = _per_atd(Convention.objects.filter(status=ConventionStatus.SIGNEE), "etd__atd_id")
    met = _per_atd(Commitment.objects.filter(status=CommitmentStatus.TENU), "etd__atd_id")
    overdue = _per_atd(Commitment.objects.overdue(today), "etd__atd_id")
    since = timezone.now() - dt.timedelta(days=RECENT_MEETINGS_DAYS)
    meetings = _per_atd(Meeting.objects.filter(starts_at__gte=since, starts_at__lte=timezone.now()), "atd_id")
    rates = _open_rates(atds)
    snapshot = Snapshot.objects.order_by("-date", "-created_at").first()
    rows = []
    for atd in atds:
        row: dict[str, Any] = {"atd": atd, "nom": atd.name, "type": atd.get_kind_display()}
        for s in STEPS:
            row[f"etape_{s.value}"] = steps[atd.pk][s.value]
        row["etd_total"] = sum(steps[atd.pk].values())
        row["conventions_signees"] = signed.get(atd.pk, 0)
        row["engagements_tenus"] = met.get(atd.pk, 0)
        row["engagements_en_retard"] = overdue.get(atd.pk, 0)
        row["reunions_90_jours"] = meetings.get(atd.pk, 0)
        obliged, opened = rates.get(atd.pk, (0, 0))
        row["obligees"] = obliged
        row["obligees_ouvertes"] = opened
        row["taux_ouverture"] = round(100 * opened / obliged, 1) if obliged else None
        rows.append(row)
    return Coordination(rows, snapshot, snapshot_info(snapshot) if snapshot else None)


def _open_rates(atds: list[Atd]) -> dict[int, tuple[int, int]]:
    """Obliged and open-among-obliged per ATD perimeter, at the latest snapshot.

    Every collectivité is loaded once and placed with ``Places`` (the in-memory twin of
    ``Territory.objects.inside``): one pass for every ATD instead of one measure each.
    """
    snapshot = Snapshot.objects.order_by("-date", "-created_at").first()
    if snapshot is None or not atds:
        return {}
    rule = Criteria(threshold=settings.ODL_POPULATION_THRESHOLD).rule
    every = load_records(Q(), rule)
    places = Places(every)
    records = [r for r in every if r.obliged]
    entries, _ = load_entries(snapshot)
    areas = {
        atd.pk: atd.area()
        for atd in Atd.objects.filter(pk__in=[a.pk for a in atds]).prefetch_related("areas")
    }
    result: dict[int, tuple[int, int]] = {}
    for atd_id, area in areas.items():
        inside = [r for r in records if places.inside(r, area)]
        opened = sum(1 for r in inside if (e := entries.get(r.id)) is not None and e.is_open)
        result[atd_id] = (len(inside), opened)
    return result


def sort_rows(rows: list[dict[str, Any]], sort: str) -> None:
    key = sort.lstrip("-")
    if key not in COORDINATION_SORTS:
        return
    # Empty figures (no denominator) go last whichever the direction.
    filled = [r for r in rows if r[key] is not None]
    empty = [r for r in rows if r[key] is None]
    filled.sort(
        key=lambda r: r[key].lower() if isinstance(r[key], str) else r[key], reverse=sort.startswith("-")
    )
    rows[:] = filled + empty
