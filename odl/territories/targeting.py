"""Ciblage: which collectivités of a perimeter the law obliges to open their data.

One function, ``compute_targets``, serves the web page, the API, the exports and ``odl targets``,
so that the four doors always show the same rows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from odl.core import figures
from odl.core.identifiers import clean_number, siren_problem
from odl.core.text import fold
from odl.territories.models import COLLECTIVITE_KINDS, Area, Kind, Territory, referentiel_version
from odl.territories.obligation import OBLIGATION_LABELS, Obligation, Rule, evaluate

# Every export of collectivités (ciblage, observatory) starts with the same columns, in this order.
IDENTITY_COLUMNS = ["kind", "code", "siren", "nom", "population"]
EXPORT_COLUMNS = [
    *IDENTITY_COLUMNS,
    "millesime",
    "departement",
    "region",
    "epci_siren",
    "obligation",
    "raison",
]
SORTABLE = {*IDENTITY_COLUMNS, "departement", "region", "epci_siren", "obligation"}
KIND_ORDER = {"region": 0, "departement": 1, "epci": 2, "commune": 3}
KIND_LABELS = {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions"}
POPULATION_BANDS: list[tuple[str, int, int | None]] = [
    ("moins de 3 500", 0, 3500),
    ("3 500 – 10 000", 3501, 10000),
    ("10 000 – 20 000", 10001, 20000),
    ("20 000 – 50 000", 20001, 50000),
    ("50 000 – 80 000", 50001, 80000),
    ("80 000 – 200 000", 80001, 200000),
    ("plus de 200 000", 200001, None),
]


# Far above any population, and within every database's integer range.
MAX_POPULATION = 1_000_000_000


class CriteriaError(ValueError):
    """A criterion is unusable; the message is in French and names the faulty value."""


@dataclass(frozen=True)
class Criteria:
    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    epcis: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    threshold: int = 3500
    min_population: int | None = None
    max_population: int | None = None
    include_all: bool = False
    query: str = ""
    sort: str = ""

    @property
    def rule(self) -> Rule:
        return Rule(population_threshold=self.threshold, agents_threshold=settings.ODL_AGENTS_THRESHOLD)

    @property
    def has_perimeter(self) -> bool:
        return bool(self.regions or self.departements or self.epcis)

    @property
    def area(self) -> Area:
        """The perimeter: the union of the régions, départements and EPCI (France when none)."""
        return Area(regions=self.regions, departements=self.departements, epcis=self.epcis)

    def as_query(self, **overrides: Any) -> str:
        """The URL query string that reproduces these criteria (used to share and save perimeters)."""
        crit = replace(self, **overrides) if overrides else self
        pairs: list[tuple[str, str]] = []
        pairs += [("region", c) for c in crit.regions]
        pairs += [("departement", c) for c in crit.departements]
        pairs += [("epci", c) for c in crit.epcis]
        pairs += [("kind", c) for c in crit.kinds]
        if crit.threshold != settings.ODL_POPULATION_THRESHOLD:
            pairs.append(("seuil", str(crit.threshold)))
        if crit.min_population is not None:
            pairs.append(("pop_min", str(crit.min_population)))
        if crit.max_population is not None:
            pairs.append(("pop_max", str(crit.max_population)))
        if crit.include_all:
            pairs.append(("toutes", "1"))
        if crit.query:
            pairs.append(("q", crit.query))
        if crit.sort:
            pairs.append(("tri", crit.sort))
        return urlencode(pairs)


def parse_int(value: str | int | None, label: str, minimum: int = 0) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = value.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        if not text.lstrip("-").isdigit():
            raise CriteriaError(f"{label} : « {value} » n'est pas un nombre entier.")
        number = int(text)
    if number < minimum:
        raise CriteriaError(f"{label} : « {value} » doit être supérieur ou égal à {minimum}.")
    if number > MAX_POPULATION:
        raise CriteriaError(f"{label} : « {value} » dépasse {MAX_POPULATION:,} habitants.".replace(",", " "))
    return number


def build_criteria(
    *,
    regions: list[str] | tuple[str, ...] = (),
    departements: list[str] | tuple[str, ...] = (),
    epcis: list[str] | tuple[str, ...] = (),
    kinds: list[str] | tuple[str, ...] = (),
    threshold: str | int | None = None,
    min_population: str | int | None = None,
    max_population: str | int | None = None,
    include_all: bool = False,
    query: str = "",
    sort: str = "",
    check_codes: bool = True,
) -> Criteria:
    """Turn raw user input (web form, API, CLI) into Criteria, or raise CriteriaError in French."""
    regions_t = _split(regions)
    departements_t = tuple(c.upper() for c in _split(departements))
    epcis_t = tuple(clean_number(c) for c in _split(epcis))
    kinds_t = _split(kinds)
    for kind in kinds_t:
        if kind not in COLLECTIVITE_KINDS:
            raise CriteriaError(
                f"Type de collectivité inconnu : « {kind} ». Types possibles : commune, epci, departement, region."
            )
    for siren in epcis_t:
        problem = siren_problem(siren)
        if problem:
            raise CriteriaError(f"EPCI : {problem}.")
    if check_codes:
        _check_exists(Kind.REGION, regions_t, "Région")
        _check_exists(Kind.DEPARTEMENT, departements_t, "Département")
        _check_exists(Kind.EPCI, epcis_t, "EPCI")
    seuil = parse_int(threshold, "Seuil de population")
    pop_min = parse_int(min_population, "Population minimale")
    pop_max = parse_int(max_population, "Population maximale")
    if pop_min is not None and pop_max is not None and pop_min > pop_max:
        raise CriteriaError(
            f"La population minimale ({pop_min}) est supérieure à la population maximale ({pop_max})."
        )
    if sort and sort.lstrip("-") not in SORTABLE:
        raise CriteriaError(f"Tri inconnu : « {sort} ». Colonnes possibles : {', '.join(sorted(SORTABLE))}.")
    return Criteria(
        regions=regions_t,
        departements=departements_t,
        epcis=epcis_t,
        kinds=kinds_t,
        threshold=settings.ODL_POPULATION_THRESHOLD if seuil is None else seuil,
        min_population=pop_min,
        max_population=pop_max,
        include_all=include_all,
        query=query.strip(),
        sort=sort,
    )


def criteria_from_params(params: QueryDict) -> Criteria:
    """Criteria from the ciblage page's query string (the page itself, and saved perimeters)."""
    return build_criteria(
        regions=params.getlist("region"),
        departements=params.getlist("departement"),
        epcis=params.getlist("epci"),
        kinds=params.getlist("kind"),
        threshold=params.get("seuil"),
        min_population=params.get("pop_min"),
        max_population=params.get("pop_max"),
        include_all=params.get("toutes") in ("1", "on", "true"),
        query=params.get("q", ""),
        sort=params.get("tri", ""),
    )


def _split(values: list[str] | tuple[str, ...] | str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in str(value).replace(";", ",").split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return tuple(out)


def _check_exists(kind: str, codes: tuple[str, ...], label: str) -> None:
    if not codes:
        return
    known = set(Territory.objects.filter(kind=kind, code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        hint = ""
        if kind == Kind.REGION:
            hint = (
                " Les régions utilisent le code COG (ex. 53 pour la Bretagne, 84 pour Auvergne-Rhône-Alpes)."
            )
        elif kind == Kind.DEPARTEMENT:
            hint = " Les départements utilisent le code COG (ex. 35, 2A, 974)."
        elif kind == Kind.EPCI:
            hint = " Les EPCI sont désignés par leur SIREN (9 chiffres)."
        raise CriteriaError(f"{label} inconnu(e) : {', '.join(unknown)}.{hint}")


_FIELDS = (
    "kind",
    "code",
    "siren",
    "nom",
    "nature",
    "zone",
    "population",
    "population_millesime",
    "departement_code",
    "region_code",
    "epci_id",
    "agents",
    "exercised_by",
    "id",
    "agents_band",
    "agents_band_year",
)


@dataclass
class TargetResult:
    criteria: Criteria
    rows: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)


def compute_targets(criteria: Criteria) -> TargetResult:
    rule = criteria.rule
    qs = Territory.objects.collectivites().inside(criteria.area)
    if criteria.kinds:
        qs = qs.filter(kind__in=criteria.kinds)
    if criteria.min_population is not None:
        qs = qs.filter(population__gte=criteria.min_population)
    if criteria.max_population is not None:
        qs = qs.filter(population__lte=criteria.max_population)
    if criteria.query:
        qs = qs.search(criteria.query)
    if not criteria.include_all:
        # Pre-filter in SQL; the rule itself runs in Python below so that it lives in one place.
        # Written so that SQLite and PostgreSQL use the (kind, population) index for each branch.
        local = [Kind.COMMUNE, Kind.EPCI]
        qs = qs.filter(
            Q(kind__in=[Kind.DEPARTEMENT, Kind.REGION])
            | Q(kind__in=local, population__gt=rule.population_threshold)
            | Q(kind__in=local, population=None)
        )
    names = _names()
    epcis = {
        pk: (siren, nom)
        for pk, siren, nom in Territory.objects.filter(kind=Kind.EPCI).values_list("id", "siren", "nom")
    }
    detail_url = reverse("territories:detail", args=["KIND", "CODE"])
    rows: list[dict[str, Any]] = []
    include_all = criteria.include_all
    no_epci = ("", "")
    # Tuples and one pass: this runs for every ciblage request (4,600 rows for France).
    for (
        kind,
        code,
        siren,
        nom,
        nature,
        zone,
        population,
        millesime,
        dep,
        reg,
        epci_id,
        agents,
        exercised,
        territory_id,
        band,
        band_year,
    ) in qs.order_by().values_list(*_FIELDS):
        status, reason = evaluate(
            kind, population, agents, zone, exercised, rule, band=band, band_year=band_year
        )
        if not include_all and status == Obligation.NON:
            continue
        epci_siren, epci_nom = epcis.get(epci_id, no_epci) if epci_id else no_epci
        rows.append(
            {
                "id": territory_id,
                "kind": kind,
                "code": code,
                "siren": siren,
                "nom": nom,
                "nature": nature,
                "zone": zone,
                "population": population,
                "millesime": millesime,
                "departement": dep,
                "departement_nom": names["departement"].get(dep, ""),
                "region": reg,
                "region_nom": names["region"].get(reg, ""),
                "epci_siren": epci_siren,
                "epci_nom": epci_nom,
                "agents": agents,
                "obligation": status.value,
                "obligation_label": OBLIGATION_LABELS[status],
                "raison": reason,
                "url": detail_url.replace("KIND", kind, 1).replace("CODE", code, 1),
            }
        )
    sort_rows(rows, criteria.sort)
    return TargetResult(criteria=criteria, rows=rows, summary=summarise(rows))


def cache_parts(criteria: Criteria) -> tuple[Any, ...]:
    """What a ciblage depends on besides the criteria: the agents threshold and the référentiel version."""
    return (criteria, settings.ODL_AGENTS_THRESHOLD, referentiel_version())


def cached_targets(criteria: Criteria) -> TargetResult:
    """``compute_targets``, computed once per référentiel version and criteria (the page, its exports and
    the API ask it on every request: 4,600 rows for France). The ciblage is public and the same for
    everyone, so the key holds the criteria only."""
    return figures.remember("targets", cache_parts(criteria), lambda: compute_targets(criteria))


def sort_rows(rows: list[dict[str, Any]], sort: str) -> None:
    if not sort:
        rows.sort(key=lambda r: (KIND_ORDER.get(r["kind"], 9), -(r["population"] or 0), r["code"]))
        return
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    if key == "nom":
        rows.sort(key=lambda r: fold(r["nom"]), reverse=reverse)
    elif key == "population":
        rows.sort(key=lambda r: r["population"] if r["population"] is not None else -1, reverse=reverse)
    elif key == "kind":
        rows.sort(key=lambda r: KIND_ORDER.get(r["kind"], 9), reverse=reverse)
    else:
        rows.sort(key=lambda r: str(r.get(key) or ""), reverse=reverse)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, dict[str, int]] = {k: {"count": 0, "population": 0} for k in KIND_ORDER}
    by_status: Counter[str] = Counter()
    bands = [0] * len(POPULATION_BANDS)
    uppers = [high for _, _, high in POPULATION_BANDS[:-1] if high is not None]
    for row in rows:
        entry = by_kind.setdefault(row["kind"], {"count": 0, "population": 0})
        entry["count"] += 1
        population = row["population"]
        entry["population"] += population or 0
        by_status[row["obligation"]] += 1
        if population is not None and row["kind"] == "commune":
            bands[bisect_left(uppers, population)] += 1
    millesimes = sorted({r["millesime"] for r in rows if r["millesime"]})
    return {
        "total": len(rows),
        "by_kind": [{"kind": k, "label": KIND_LABELS.get(k, k), **v} for k, v in by_kind.items()],
        "by_status": {s.value: by_status.get(s.value, 0) for s in Obligation},
        "commune_population": by_kind["commune"]["population"],
        "bands": [
            {"label": label, "count": count}
            for (label, _, _), count in zip(POPULATION_BANDS, bands, strict=True)
        ],
        "millesimes": millesimes,
    }


def export_rows(result: TargetResult) -> list[list[Any]]:
    return [[row[col] if row[col] is not None else "" for col in EXPORT_COLUMNS] for row in result.rows]


def _names() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"departement": {}, "region": {}}
    for kind, code, nom in Territory.objects.filter(kind__in=[Kind.DEPARTEMENT, Kind.REGION]).values_list(
        "kind", "code", "nom"
    ):
        out[kind][code] = nom
    return out
