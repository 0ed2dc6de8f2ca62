"""« Collectivités ouvertes avec au moins une réutilisation connue », per perimeter.

"Open" is the observatory's word: a collectivité with an open entry in the latest snapshot
(``odl.observatory.indicators.open_ids``). "Known reuse": a current (not archived) reuse that names the
collectivité among those it concerns. The two sets are loaded once and joined in memory, so the table of
every département costs three queries whatever the number of reuses.

A collectivité is placed in the département of its own ``departement_code`` (for an EPCI, that of its
most populous commune): an EPCI straddling two départements counts in one only here, unlike the
ciblage's perimeter rule (``odl.territories.models.Area``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from odl.observatory.indicators import IndicatorError, open_ids, pick_snapshot
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.reuses.models import Reuse
from odl.territories.models import Kind, Territory


@dataclass
class Row:
    code: str
    nom: str
    territory: Territory | None
    open: int = 0
    with_reuse: int = 0
    reused: int = 0  # collectivités with a known reuse, open or not

    @property
    def share(self) -> float | None:
        return 100.0 * self.with_reuse / self.open if self.open else None


def latest_snapshot() -> Snapshot | None:
    try:
        return pick_snapshot()
    except IndicatorError:
        return None


def reused_ids() -> set[int]:
    return set(
        Reuse.territories.through.objects.filter(reuse__archived_at__isnull=True).values_list(
            "territory_id", flat=True
        )
    )


def by_departement() -> dict[str, Any]:
    snapshot = latest_snapshot()
    opened = open_ids(snapshot)
    reused = reused_ids()
    departements = {t.code: t for t in Territory.objects.filter(kind=Kind.DEPARTEMENT, active=True)}
    rows: dict[str, Row] = {}
    total = Row("FR", "France", None)
    for pk, dep in (
        Territory.objects.collectivites().exclude(kind=Kind.REGION).values_list("pk", "departement_code")
    ):
        is_open, has_reuse = pk in opened, pk in reused
        if not (is_open or has_reuse):
            continue
        row = rows.get(dep)
        if row is None:
            territory = departements.get(dep)
            row = rows[dep] = Row(dep, territory.nom if territory else dep, territory)
        for target in (row, total):
            target.open += is_open
            target.with_reuse += is_open and has_reuse
            target.reused += has_reuse
    return {"snapshot": snapshot, "rows": sorted(rows.values(), key=lambda r: r.code), "total": total}


def of_territory(territory: Territory) -> Row:
    """The figure for one perimeter (a région, a département, an EPCI or a single collectivité).

    Only the perimeter's collectivités are read: their ids, then which of them are open and which
    have a known reuse, each restricted in SQL (the page of one commune need not load all of France).
    """
    snapshot = latest_snapshot()
    # Read once, used twice: SQLite plans the perimeter rule badly as a nested subquery.
    inside = list(Territory.objects.collectivites().inside_territory(territory).values_list("pk", flat=True))
    opened: set[int] = set()
    if snapshot is not None:
        opened = set(
            SnapshotEntry.objects.filter(
                snapshot=snapshot, is_open=True, territory_id__in=inside
            ).values_list("territory_id", flat=True)
        )
    # « Not archived » as an exclusion: SQLite would otherwise probe every current reuse against
    # every id of the perimeter (a second instead of milliseconds on 10,000 reuses).
    archived = Reuse.objects.filter(archived_at__isnull=False).values("pk")
    reused = set(
        Reuse.territories.through.objects.filter(territory_id__in=inside)
        .exclude(reuse_id__in=archived)
        .values_list("territory_id", flat=True)
        .distinct()
    )
    row = Row(territory.code, territory.nom, territory)
    row.open, row.with_reuse, row.reused = len(opened), len(opened & reused), len(reused)
    return row
