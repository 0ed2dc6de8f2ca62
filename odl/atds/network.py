"""The ATD network seen from France: which obliged collectivités an ATD covers, and which none does.

The national coordinator recruits ATDs where obliged collectivités have nobody to accompany them. The
obliged are the ciblage's default rule (``compute_targets``), about 4,600 for France; coverage is a set
of territory ids per ATD (one query each, a few dozen ATDs), so no query runs per collectivité.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from odl.atds.models import Atd, AtdQuerySet
from odl.territories.models import Kind, Territory
from odl.territories.targeting import build_criteria, compute_targets


@dataclass
class DepartementCoverage:
    code: str
    nom: str
    obliged: int = 0
    covered: int = 0
    atds: list[str] = field(default_factory=list)

    @property
    def uncovered(self) -> int:
        return self.obliged - self.covered

    @property
    def rate(self) -> float | None:
        return round(100 * self.covered / self.obliged, 1) if self.obliged else None


@dataclass
class Coverage:
    departements: list[DepartementCoverage]
    uncovered_rows: list[dict[str, Any]]
    rule_text: str

    @property
    def obliged(self) -> int:
        return sum(d.obliged for d in self.departements)

    @property
    def covered(self) -> int:
        return sum(d.covered for d in self.departements)

    @property
    def uncovered(self) -> int:
        return self.obliged - self.covered


def network_atds() -> AtdQuerySet:
    """Every ATD with what the public table shows, in a fixed number of queries."""
    return (
        Atd.objects.select_related("structure")
        .prefetch_related("areas")
        .annotate(etd_count=Count("etds", distinct=True))
        .order_by("name")
    )


def covered_ids(atds: list[Atd]) -> dict[int, list[str]]:
    """Territory id → names of the ATDs whose perimeter holds it."""
    out: dict[int, list[str]] = defaultdict(list)
    for atd in atds:
        if not atd.areas.all():
            continue
        for pk in Territory.objects.inside(atd.area()).values_list("pk", flat=True):
            out[pk].append(atd.name)
    return out


def coverage(atds: list[Atd] | None = None) -> Coverage:
    """Obliged collectivités covered by some ATD and uncovered ones, by département.

    An EPCI, a département and a région count in the département of their own ``departement_code``
    (régions have none: they are listed under « Régions »).
    """
    atds = list(network_atds()) if atds is None else atds
    criteria = build_criteria(check_codes=False)
    result = compute_targets(criteria)
    covered = covered_ids(atds)
    by_code: dict[str, DepartementCoverage] = {}
    for code, nom in Territory.objects.filter(kind=Kind.DEPARTEMENT, active=True).values_list("code", "nom"):
        by_code[code] = DepartementCoverage(code=code, nom=nom)
    uncovered_rows = []
    names: dict[str, set[str]] = defaultdict(set)
    for row in result.rows:
        code = row["departement"] if row["kind"] != Kind.REGION else ""
        entry = by_code.get(code)
        if entry is None:
            entry = by_code.setdefault(code, DepartementCoverage(code=code, nom=code or "Régions"))
        entry.obliged += 1
        holders = covered.get(row["id"])
        if holders:
            entry.covered += 1
            names[code].update(holders)
        else:
            uncovered_rows.append(row)
    for code, entry in by_code.items():
        entry.atds = sorted(names[code])
    # Départements with no obliged collectivité stay listed: "nothing to recruit here" is a fact too.
    ordered = sorted(by_code.values(), key=lambda d: (d.code == "", d.code))
    return Coverage(departements=ordered, uncovered_rows=uncovered_rows, rule_text=criteria.rule.describe())
