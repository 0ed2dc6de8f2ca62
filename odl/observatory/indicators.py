"""Indicators of the observatory, for any perimeter and any snapshot.

One engine serves the dashboard, the API, ``odl indicators`` and the national recomputation of
every perimeter: a record per collectivité of the référentiel (obligation, population, where it
lies) joined to the snapshot's entry (open or not, datasets, technologies, SCDL schemas) and to the
previous snapshot (new and lost), then summed per perimeter by :class:`Accumulator`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from odl.core import figures as figures_cache
from odl.observatory.history import previous_snapshot, snapshot_at
from odl.observatory.models import Snapshot, SnapshotEntry, snapshots_version
from odl.territories.models import Kind, Territory, referentiel_version
from odl.territories.obligation import Obligation, Rule, evaluate
from odl.territories.perimeters import Places
from odl.territories.targeting import (
    IDENTITY_COLUMNS,
    KIND_LABELS,
    KIND_ORDER,
    POPULATION_BANDS,
    Criteria,
)

KINDS = ("commune", "epci", "departement", "region")
OBLIGED = (Obligation.OUI.value, Obligation.A_CONFIRMER.value)

DENOMINATOR = (
    "collectivités concernées par l'obligation d'ouverture (CRPA art. L312-1-1) : communes et EPCI de "
    "plus de {threshold} habitants (population municipale INSEE) employant au moins {agents} agents, ou "
    "dont l'effectif n'est pas renseigné (« à confirmer ») ; tous les départements et régions"
)
OPEN_RULE = (
    "Ouverte : au moins un jeu de données publié sous son propre nom (règle de l'Observatoire "
    "OpenDataFrance). Les jeux publiés par un tiers « pour le compte de » la collectivité ne comptent pas."
)
COVERED_RULE = (
    "Population couverte : habitants des communes du périmètre dont la commune, l'EPCI, le département "
    "ou la région publie (population municipale INSEE). Les populations « des communes obligées » et « des "
    "communes ouvertes » ne somment que les communes, pour ne pas compter deux fois les mêmes habitants."
)


class IndicatorError(ValueError):
    """No snapshot to measure, or an unusable date; the message is in French."""


@dataclass(slots=True)
class Record:
    id: int
    kind: str
    code: str
    siren: str
    nom: str
    population: int | None
    region_code: str
    departement_code: str
    epci_id: int | None
    obligation: str
    covered: bool = False

    @property
    def obliged(self) -> bool:
        return self.obligation in OBLIGED


@dataclass(slots=True)
class EntryView:
    is_open: bool
    datasets: int
    technologies: list[str]
    schemas: list[str]
    scdl_resources: int
    scdl_valid: int | None
    scdl_checked: int | None
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None


def band_index(population: int | None) -> int | None:
    if population is None:
        return None
    for index, (_, low, high) in enumerate(POPULATION_BANDS):
        if population >= low and (high is None or population <= high):
            return index
    return None


@dataclass
class Accumulator:
    """Sums for one perimeter; ``add`` once per collectivité, ``add_outside`` per other organisation."""

    collectivites: int = 0
    obliged: int = 0
    obliged_confirmed: int = 0
    open: int = 0
    open_obliged: int = 0
    population_obliged: int = 0
    population_open: int = 0
    population_communes: int = 0
    population_covered: int = 0
    datasets: int = 0
    scdl_resources: int = 0
    scdl_valid: int = 0
    scdl_checked: int = 0
    scdl_measured: bool = False
    new: int = 0
    lost: int = 0
    outside_open: int = 0
    outside_datasets: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0, 0, 0] for k in KINDS})
    bands: list[list[int]] = field(default_factory=lambda: [[0, 0, 0, 0] for _ in POPULATION_BANDS])
    technologies: Counter[str] = field(default_factory=Counter)
    schemas: Counter[str] = field(default_factory=Counter)

    def add(self, record: Record, entry: EntryView | None, was_open: bool) -> None:
        is_open = entry is not None and entry.is_open
        obliged = record.obliged
        kind_row = self.by_kind[record.kind]
        self.collectivites += 1
        kind_row[0] += 1
        pop = record.population or 0
        if record.kind == Kind.COMMUNE:
            self.population_communes += pop
            if record.covered:
                self.population_covered += pop
            band = band_index(record.population)
            if band is not None:
                row = self.bands[band]
                row[0] += 1
                row[1] += obliged
                row[2] += is_open
                row[3] += is_open and obliged
        if obliged:
            self.obliged += 1
            self.obliged_confirmed += record.obligation == Obligation.OUI.value
            if record.kind == Kind.COMMUNE:
                self.population_obliged += pop
            kind_row[1] += 1
        if is_open:
            assert entry is not None
            self.open += 1
            kind_row[2] += 1
            if record.kind == Kind.COMMUNE:
                self.population_open += pop
            self.datasets += entry.datasets
            self.technologies.update(entry.technologies)
            self.schemas.update(entry.schemas)
            self.scdl_resources += entry.scdl_resources
            if entry.scdl_valid is not None:
                self.scdl_measured = True
                self.scdl_valid += entry.scdl_valid
                # Entries from before the checked count was stored: the resources were all checked.
                self.scdl_checked += (
                    entry.scdl_checked if entry.scdl_checked is not None else entry.scdl_resources
                )
            if obliged:
                self.open_obliged += 1
                kind_row[3] += 1
        if is_open and not was_open:
            self.new += 1
        elif was_open and not is_open:
            self.lost += 1

    def add_outside(self, entry: EntryView) -> None:
        if entry.is_open:
            self.outside_open += 1
            self.outside_datasets += entry.datasets

    def result(self) -> dict[str, Any]:
        rate = round(100 * self.open_obliged / self.obliged, 1) if self.obliged else None
        return {
            "collectivites": self.collectivites,
            "obliged": self.obliged,
            "obliged_confirmed": self.obliged_confirmed,
            "obliged_to_confirm": self.obliged - self.obliged_confirmed,
            "open": self.open,
            "open_obliged": self.open_obliged,
            "rate_obliged": rate,
            "population_obliged": self.population_obliged,
            "population_open": self.population_open,
            "population_communes": self.population_communes,
            "population_covered": self.population_covered,
            "rate_population_covered": (
                round(100 * self.population_covered / self.population_communes, 1)
                if self.population_communes
                else None
            ),
            "datasets": self.datasets,
            "other_organisations_open": self.outside_open,
            "other_organisations_datasets": self.outside_datasets,
            "new": self.new,
            "lost": self.lost,
            "by_kind": [
                {
                    "kind": kind,
                    "label": KIND_LABELS[kind],
                    "collectivites": row[0],
                    "obliged": row[1],
                    "open": row[2],
                    "open_obliged": row[3],
                }
                for kind, row in sorted(self.by_kind.items(), key=lambda kv: KIND_ORDER[kv[0]])
            ],
            "by_population_band": [
                {"band": label, "communes": row[0], "obliged": row[1], "open": row[2], "open_obliged": row[3]}
                for (label, _, _), row in zip(POPULATION_BANDS, self.bands, strict=True)
            ],
            "by_technology": [{"technology": t, "open": n} for t, n in self.technologies.most_common()],
            "scdl": {
                "schemas": [{"schema": s, "collectivites": n} for s, n in sorted(self.schemas.items())],
                "resources": self.scdl_resources,
                "checked": self.scdl_checked if self.scdl_measured else None,
                "valid": self.scdl_valid if self.scdl_measured else None,
                # Share of the resources the validator could check: one it could not read is unknown.
                "valid_rate": (
                    round(100 * self.scdl_valid / self.scdl_checked, 1)
                    if self.scdl_measured and self.scdl_checked
                    else None
                ),
            },
        }


@dataclass
class Measure:
    """Everything a perimeter's page needs: figures, the records behind them, the snapshots used."""

    snapshot: Snapshot
    previous: Snapshot | None
    rule: Rule
    figures: dict[str, Any]
    records: list[Record]
    entries: dict[int, EntryView]
    previous_open: set[int]
    label: str = "France"

    def as_dict(self) -> dict[str, Any]:
        return {
            "perimeter": self.label,
            "snapshot": snapshot_info(self.snapshot),
            "previous_snapshot": snapshot_info(self.previous) if self.previous else None,
            "denominator": DENOMINATOR.format(
                threshold=self.rule.population_threshold, agents=self.rule.agents_threshold
            ),
            "open_rule": OPEN_RULE,
            "covered_rule": COVERED_RULE,
            **self.figures,
        }

    def rows(self, which: str) -> list[dict[str, Any]]:
        """Obliged collectivités of the perimeter: ``open``, ``closed`` (not yet open), ``new`` or ``lost``."""
        out = []
        for record in self.records:
            entry = self.entries.get(record.id)
            is_open = entry is not None and entry.is_open
            was_open = record.id in self.previous_open
            keep = {
                "open": record.obliged and is_open,
                "closed": record.obliged and not is_open,
                "new": is_open and not was_open,
                "lost": was_open and not is_open,
                "all_open": is_open,
            }[which]
            if keep:
                out.append(row_of(record, entry))
        out.sort(key=lambda r: (KIND_ORDER.get(r["kind"], 9), -(r["population"] or 0), r["code"]))
        return out


def row_of(record: Record, entry: EntryView | None) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "code": record.code,
        "siren": record.siren,
        "nom": record.nom,
        "population": record.population,
        "departement": record.departement_code,
        "region": record.region_code,
        "obligation": record.obligation,
        "ouverte": bool(entry and entry.is_open),
        "jeux": entry.datasets if entry else 0,
        "technologies": ", ".join(entry.technologies) if entry else "",
        "schemas_scdl": ", ".join(entry.schemas) if entry else "",
        "premiere_vue": timezone.localdate(entry.first_seen).isoformat()
        if entry and entry.first_seen
        else "",
        "derniere_vue": timezone.localdate(entry.last_seen).isoformat() if entry and entry.last_seen else "",
    }


EXPORT_COLUMNS = [
    *IDENTITY_COLUMNS,
    "departement",
    "region",
    "obligation",
    "ouverte",
    "jeux",
    "technologies",
    "schemas_scdl",
    "premiere_vue",
    "derniere_vue",
]


def snapshot_info(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.pk,
        "date": snapshot.date.isoformat(),
        "label": snapshot.label,
        "origin": snapshot.origin,
        "source": snapshot.source_name,
        "method": snapshot.method,
    }


def pick_snapshot(day: dt.date | None = None) -> Snapshot:
    snapshot = snapshot_at(day)
    if snapshot is None:
        if day is None:
            raise IndicatorError(
                "Aucun instantané : importez une édition de l'Observatoire (odl import_observatoire) "
                "ou prenez un instantané du moissonnage (odl snapshot)."
            )
        raise IndicatorError(f"Aucun instantané à la date du {day:%d/%m/%Y} ou avant.")
    return snapshot


_RECORD_FIELDS = (
    "id",
    "kind",
    "code",
    "siren",
    "nom",
    "population",
    "region_code",
    "departement_code",
    "epci_id",
    "agents",
    "zone",
    "exercised_by",
)


def load_records(condition: Q, rule: Rule, kinds: Iterable[str] = ()) -> list[Record]:
    qs = Territory.objects.collectivites().filter(condition)
    kinds = tuple(kinds)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    records = []
    for values in qs.values_list(*_RECORD_FIELDS).iterator(chunk_size=5000):
        pk, kind, code, siren, nom, pop, reg, dep, epci, agents, zone, exercised = values
        status, _ = evaluate(kind, pop, agents, zone, exercised, rule)
        records.append(Record(pk, kind, code, siren, nom, pop, reg, dep, epci, status.value))
    return records


_ENTRY_FIELDS = (
    "territory_id",
    "is_open",
    "datasets_count",
    "technologies",
    "schemas",
    "scdl_resources",
    "scdl_valid",
    "scdl_checked",
    "first_seen",
    "last_seen",
    "region_code",
    "departement_code",
)

Entries = tuple[dict[int, EntryView], list[tuple[str, str, EntryView]]]


def _add_entry(entries: Entries, values: tuple[Any, ...]) -> None:
    territory_id, reg, dep = values[0], values[10], values[11]
    view = EntryView(*values[1:10])
    if territory_id is None:
        entries[1].append((reg, dep, view))
    else:
        entries[0][territory_id] = view


def load_entries(snapshot: Snapshot) -> Entries:
    """Entries by territory id, and the organisations outside the référentiel with their codes."""
    entries: Entries = ({}, [])
    for values in SnapshotEntry.objects.filter(snapshot=snapshot).values_list(*_ENTRY_FIELDS):
        _add_entry(entries, values)
    return entries


def open_ids(snapshot: Snapshot | None) -> set[int]:
    if snapshot is None:
        return set()
    return set(
        SnapshotEntry.objects.filter(snapshot=snapshot, is_open=True, territory__isnull=False).values_list(
            "territory_id", flat=True
        )
    )


def _upper_ids() -> dict[tuple[str, str], int]:
    """Départements and régions by (kind, code): a commune is covered when one of them publishes."""
    return {
        (kind, code): pk
        for pk, kind, code in Territory.objects.filter(
            kind__in=[Kind.DEPARTEMENT, Kind.REGION], active=True
        ).values_list("id", "kind", "code")
    }


def _mark_covered(
    records: list[Record], entries: dict[int, EntryView], upper: dict[tuple[str, str], int]
) -> None:
    opened = {pk for pk, e in entries.items() if e.is_open}
    for record in records:
        if record.kind != Kind.COMMUNE:
            continue
        record.covered = (
            record.id in opened
            or (record.epci_id is not None and record.epci_id in opened)
            or upper.get((Kind.DEPARTEMENT, record.departement_code)) in opened
            or upper.get((Kind.REGION, record.region_code)) in opened
        )


def measure(
    criteria: Criteria, snapshot: Snapshot, label: str = "France", records: list[Record] | None = None
) -> Measure:
    """Indicators of one perimeter (the ciblage criteria: régions, départements, EPCI, kinds)."""
    if records is None:
        records = load_records(criteria.area.q(), criteria.rule, criteria.kinds)
    previous = previous_snapshot(snapshot)
    return _measure(
        criteria, snapshot, label, records, load_entries(snapshot), previous, open_ids(previous), _upper_ids()
    )


def _measure(
    criteria: Criteria,
    snapshot: Snapshot,
    label: str,
    records: list[Record],
    entries_and_outside: Entries,
    previous: Snapshot | None,
    previous_open: set[int],
    upper: dict[tuple[str, str], int],
) -> Measure:
    """``measure`` once everything it reads is loaded, so ``history`` can load it for all snapshots at once."""
    entries, outside = entries_and_outside
    _mark_covered(records, entries, upper)
    acc = Accumulator()
    for record in records:
        acc.add(record, entries.get(record.id), record.id in previous_open)
    if not criteria.epcis and not criteria.kinds:
        for reg, dep, view in outside:
            in_perimeter = (
                not criteria.has_perimeter or reg in criteria.regions or dep in criteria.departements
            )
            if in_perimeter:
                acc.add_outside(view)
    figures = acc.result()
    if previous is None:
        figures["new"] = figures["lost"] = None
    return Measure(snapshot, previous, criteria.rule, figures, records, entries, previous_open, label)


def measure_all(
    snapshot: Snapshot, rule: Rule, levels: Iterable[str] = ("R", "D", "E")
) -> dict[str, dict[str, Any]]:
    """Indicators of every perimeter of France at once: ``FR``, ``R:53``, ``D:35``, ``E:<siren>``.

    Each collectivité is loaded once and added to every perimeter it lies in (``Places``, the in-memory
    twin of the ciblage's ``Territory.objects.inside``).
    """
    records = load_records(Q(), rule)
    entries, outside = load_entries(snapshot)
    previous = previous_snapshot(snapshot)
    previous_open = open_ids(previous)
    _mark_covered(records, entries, _upper_ids())
    places = Places(records)
    wanted = set(levels)
    accs: dict[str, Accumulator] = defaultdict(Accumulator)
    france = accs["FR"]
    for r in records:
        entry = entries.get(r.id)
        was_open = r.id in previous_open
        france.add(r, entry, was_open)
        for key in places.of(r):
            if key[0] in wanted:
                accs[key].add(r, entry, was_open)
    for reg, dep, view in outside:
        france.add_outside(view)
        if reg and "R" in wanted:
            accs["R:" + reg].add_outside(view)
        if dep and "D" in wanted:
            accs["D:" + dep].add_outside(view)
    has_previous = previous is not None
    results = {key: acc.result() for key, acc in accs.items()}
    if not has_previous:
        for figures in results.values():
            figures["new"] = figures["lost"] = None
    return results


MAP_LEVELS = ("R", "D")


def _map_cache_path(snapshot: Snapshot, rule: Rule) -> Path:
    marker = referentiel_version()
    name = (
        f"map-{snapshot.pk}-{snapshot.created_at.timestamp():.6f}-{rule.population_threshold}-"
        f"{rule.agents_threshold}-{marker}.json"
    )
    return Path(settings.DATA_DIR) / "cache" / "observatory" / name


def map_figures(snapshot: Snapshot, rule: Rule) -> dict[str, dict[str, Any]]:
    """France, régions and départements of a snapshot, kept on disk: the map asks for them on every
    load, and computing them costs about a second. The file name holds everything they depend on
    (snapshot, thresholds, référentiel version), so a stale file is never read."""
    path = _map_cache_path(snapshot, rule)
    try:
        cached: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return cached
    except (OSError, ValueError):
        pass
    figures = measure_all(snapshot, rule, levels=MAP_LEVELS)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a read-only disk only costs speed
    return figures


def history(criteria: Criteria, records: list[Record] | None = None) -> list[dict[str, Any]]:
    """One point per snapshot: open, open among the obliged, rate, datasets.

    The same figures as ``measure`` for each snapshot, but every snapshot's entries come from one
    query read in order (a chart of a hundred snapshots would otherwise cost four queries each).
    """
    if records is None:
        records = load_records(criteria.area.q(), criteria.rule, criteria.kinds)
    snapshots = list(Snapshot.objects.order_by("date", "created_at", "pk"))
    upper = _upper_ids()
    # Entries arrive in the snapshots' order, so only the current and the previous snapshots are held.
    rows = (
        SnapshotEntry.objects.filter(snapshot__in=[snapshot.pk for snapshot in snapshots])
        .order_by("snapshot__date", "snapshot__created_at", "snapshot_id")
        .values_list("snapshot_id", *_ENTRY_FIELDS)
        .iterator(chunk_size=5000)
    )
    pending = next(rows, None)
    points = []
    previous: Snapshot | None = None
    previous_open: set[int] = set()
    group_previous, group_previous_open = previous, previous_open
    for index, snapshot in enumerate(snapshots):
        entries: Entries = ({}, [])
        while pending is not None and pending[0] == snapshot.pk:
            _add_entry(entries, pending[1:])
            pending = next(rows, None)
        # Like previous_snapshot(): the latest snapshot strictly before, so a tie shares its predecessor.
        key = (snapshot.date, snapshot.created_at)
        if index and key != (snapshots[index - 1].date, snapshots[index - 1].created_at):
            group_previous, group_previous_open = previous, previous_open
        figures = _measure(
            criteria, snapshot, "", records, entries, group_previous, group_previous_open, upper
        ).figures
        previous = snapshot
        previous_open = {pk for pk, view in entries[0].items() if view.is_open}
        points.append(
            {
                "snapshot": snapshot_info(snapshot),
                "open": figures["open"],
                "open_obliged": figures["open_obliged"],
                "obliged": figures["obliged"],
                "rate_obliged": figures["rate_obliged"],
                "datasets": figures["datasets"],
            }
        )
    return points


def dashboard_figures(
    criteria: Criteria, snapshot: Snapshot, label: str = "France"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The figures (``Measure.as_dict``) and the history points of a perimeter, computed once per
    snapshot and référentiel version and kept in the ``figures`` cache (odl/core/figures.py): the
    dashboard asks for them on every visit and they cost up to a second for France. They are public and
    the same for everyone, so the key holds the perimeter's criteria, never who asks."""
    rule = criteria.rule
    parts = (
        criteria,
        label,
        rule.population_threshold,
        rule.agents_threshold,
        snapshot.pk,
        snapshot.created_at.timestamp(),
        snapshots_version(),
        referentiel_version(),
    )

    def compute() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        result = measure(criteria, snapshot, label)
        return result.as_dict(), history(criteria, result.records)

    return figures_cache.remember("observatory-dashboard", parts, compute)
