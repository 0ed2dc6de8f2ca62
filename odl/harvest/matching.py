"""Who published it: link a harvested publisher to a collectivité of the référentiel.

Order (design §4): the declared SIRET/SIREN (data.gouv.fr ``business_number_id``), then data.gouv.fr's
``siretisation:*`` extras checked against the référentiel, then the name within the source's territory,
else the review queue. A person's decision (accepted, rejected, not a collectivité) is never redone.

Names go through ``odl.harvest.names`` on both sides (elisions, articles, EPCI words before or after the
name, acronyms). Nothing that may be a collectivité is left unmatched in silence: several collectivités
of that name, a name alone without its kind, or a close name (``proposals``) go to the queue with the
likeliest as the proposal and the others named in the note; a close name alone in the perimeter and one
letter off is matched. ``tests/harvest/test_publisher_name_corpus.py`` measures precision and recall on
a thousand real names, ``bench/publisher_matching.py`` the time on the whole référentiel.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, NamedTuple

from django.db.models import Q

from odl.atds.models import Atd, area_of
from odl.core.identifiers import clean_number, is_valid_siren
from odl.core.text import fold
from odl.harvest.models import MANUAL_STATUSES, MatchStatus, Publisher
from odl.harvest.names import EPCI, Name, core_name, grouping_keys, name_of
from odl.territories.models import Area, Kind, Territory
from odl.territories.perimeters import Places
from odl.territories.sirens import former_sirens

__all__ = ["ReferentielIndex", "apply", "core_name", "match"]

# Names that usually are collectivités (worth a person's look when nothing matched).
_LOOKS_LOCAL = re.compile(
    r"\b(ville|commune|mairie|departement|departemental|region|regional|metropole|communaute|agglo|"
    r"agglomeration|collectivite|cc|ca|cu)\b"
)
# How alike a name must be to a collectivité's to be proposed to a person (never matched on its own).
_PROPOSAL_RATIO = 0.85
# How alike it must be, alone in the perimeter, to be matched: a typo, an « s », a letter left out.
_TYPO_RATIO = 0.93
# Words too common to find proposals by (« saint », « sur »…): the shared rare words do.
_COMMON_WORD_ROWS = 400
_PROPOSALS_SHOWN = 4


class Row(NamedTuple):
    id: int
    kind: str
    code: str
    siren: str
    nom: str
    departement_code: str
    region_code: str
    epci_id: int | None
    population: int | None
    exercised_by: str


ROW_FIELDS = (
    "id",
    "kind",
    "code",
    "siren",
    "nom",
    "departement_code",
    "region_code",
    "epci_id",
    "population",
    "exercised_by",
)


@dataclass
class MatchResult:
    status: str
    method: str = ""
    territory_id: int | None = None
    candidate_id: int | None = None
    note: str = ""


class ReferentielIndex:
    """The collectivités in memory, indexed by SIREN, (kind, code) and core name: one query per run."""

    def __init__(self) -> None:
        self.by_id: dict[int, Row] = {}
        self.by_siren: dict[str, Row] = {}
        self.by_kind_code: dict[tuple[str, str], Row] = {}
        # The keys of names.name_of: exact, without the leading article, and the groupings' looser ones.
        self.by_name: dict[str, list[Row]] = defaultdict(list)
        self.by_loose: dict[str, list[Row]] = defaultdict(list)
        self.by_epci_key: dict[str, list[Row]] = defaultdict(list)
        self.by_word: dict[str, list[Row]] = defaultdict(list)
        self.loose_of: dict[int, str] = {}
        # Whose own name carries kind words (« CA de Nevers »): a bare « Nevers » means the commune.
        self.named_kind: set[int] = set()
        for values in Territory.objects.collectivites().values_list(*ROW_FIELDS).iterator(chunk_size=5000):
            row = Row(*values)
            self.by_id[row.id] = row
            if row.siren:
                self.by_siren[row.siren] = row
            self.by_kind_code[(row.kind, row.code)] = row
            name = name_of(row.nom)
            self.by_name[name.full].append(row)
            self.by_loose[name.loose].append(row)
            self.loose_of[row.id] = name.loose
            if name.kind:
                self.named_kind.add(row.id)
            if row.kind == EPCI:
                for key in {*name.epci, *grouping_keys(row.nom)}:
                    self.by_epci_key[key].append(row)
            for word in set(name.loose.split()):
                if len(word) >= 3:
                    self.by_word[word].append(row)
        # A publisher may still declare the SIREN a collectivité had before (Collectivité de Corse).
        for old, kind_code in former_sirens().items():
            successor = self.by_kind_code.get(kind_code)
            if successor is not None:
                self.by_siren.setdefault(old, successor)
        self.places = Places(self.by_id.values())
        self._perimeters: dict[int, Row | None] = {}
        self._areas: dict[int, Area] = {}
        self._owner_areas: dict[int, Area | None] = {}
        self._inside_rows: dict[int, list[Row]] = {}
        self._by_place: dict[str, list[Row]] = defaultdict(list)

    def perimeter(self, territory_id: int | None) -> Row | None:
        if territory_id is None:
            return None
        if territory_id not in self._perimeters:
            row = self.by_id.get(territory_id)
            if row is None:
                values = Territory.objects.filter(pk=territory_id).values_list(*ROW_FIELDS)
                row = Row(*values[0]) if values else None
            self._perimeters[territory_id] = row
        return self._perimeters[territory_id]

    def owner_area(self, territory_id: int | None) -> Area | None:
        """The perimeter of the ATD that owns a source (``HarvestSource.owner``); None for a national one.

        The union of the areas of the ATDs the owner stands for (as structure or as an area), else the
        owner's own perimeter.
        """
        if territory_id is None:
            return None
        if territory_id not in self._owner_areas:
            atds = (
                Atd.objects.filter(Q(structure_id=territory_id) | Q(areas=territory_id))
                .distinct()
                .prefetch_related("areas")
            )
            territories = [t for atd in atds for t in atd.areas.all()]
            row = self.perimeter(territory_id)
            self._owner_areas[territory_id] = (
                area_of(territories) if territories else Area.of(row) if row else None
            )
        return self._owner_areas[territory_id]

    def inside(self, row: Row, perimeter: Row) -> bool:
        """Whether a collectivité lies inside a territory's perimeter (the rule of ``Area``)."""
        area = self._areas.get(perimeter.id)
        if area is None:
            area = self._areas[perimeter.id] = Area.of(perimeter)
        return self.places.inside(row, area)

    def rows_inside(self, perimeter: Row) -> list[Row]:
        """The collectivités inside a perimeter, from an index of places built on first use."""
        if not self._by_place:
            for row in self.by_id.values():
                for key in self.places.of(row):
                    self._by_place[key].append(row)
        if perimeter.id not in self._inside_rows:
            area = self._areas.get(perimeter.id) or Area.of(perimeter)
            found = {r.id: r for key in area.keys for r in self._by_place.get(key, [])}
            found.update((i, self.by_id[i]) for i in area.territories if i in self.by_id)
            self._inside_rows[perimeter.id] = list(found.values())
        return self._inside_rows[perimeter.id]

    def candidates(self, name: Name) -> list[Row]:
        """The collectivités a name may stand for, from the most exact key to the loosest."""
        if name.alias is not None:
            row = self.by_kind_code.get(name.alias)
            return [row] if row is not None else []
        if name.departement_number:
            row = self.by_kind_code.get((name.kind, name.departement_number))
            return [row] if row is not None else []

        def of_kind(rows: list[Row]) -> list[Row]:
            return [r for r in rows if not name.kind or r.kind == name.kind]

        found = of_kind(self.by_name.get(name.full, [])) or of_kind(self.by_loose.get(name.loose, []))
        if not found and name.kind in ("", EPCI):
            seen: dict[int, Row] = {}
            for key in name.epci:
                for row in self.by_epci_key.get(key, []):
                    seen[row.id] = row
            found = list(seen.values())
        if not name.kind:
            found = [r for r in found if r.id not in self.named_kind] or found
        # « Paris »: the Ville de Paris exercises the département's competences, it is the one meant.
        own = [r for r in found if not r.exercised_by]
        return own or found

    def proposals(self, name: Name, perimeter: Row | None) -> list[tuple[float, Row]]:
        """Collectivités whose name is close to this one, for a person to choose from (never matched)."""
        if len(name.loose) < 3:
            return []
        if perimeter is not None:
            pool = self.rows_inside(perimeter)
        else:
            pool_ids: dict[int, Row] = {}
            for word in set(name.loose.split()):
                rows = self.by_word.get(word, [])
                if len(rows) <= _COMMON_WORD_ROWS:
                    pool_ids.update((r.id, r) for r in rows)
            pool = list(pool_ids.values())
        scored: list[tuple[float, int, Row]] = []
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(name.loose)
        words = name.loose.split()
        for row in pool:
            if name.kind and row.kind != name.kind:
                continue
            loose = self.loose_of[row.id]
            if _starts_with_words(words, loose):
                scored.append((0.9, row.population or 0, row))
                continue
            matcher.set_seq1(loose)
            if matcher.real_quick_ratio() < _PROPOSAL_RATIO or matcher.quick_ratio() < _PROPOSAL_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio >= _PROPOSAL_RATIO:
                scored.append((ratio, row.population or 0, row))
        scored.sort(key=lambda item: (-item[0], -item[1]))
        return [(ratio, row) for ratio, _population, row in scored[:_PROPOSALS_SHOWN]]


def _starts_with_words(words: list[str], other: str) -> bool:
    """« berck sur mer » and « berck », « levallois » and « levallois perret »: one begins the other."""
    others = other.split()
    shorter, longer = (words, others) if len(words) <= len(others) else (others, words)
    return bool(shorter) and len("".join(shorter)) >= 5 and longer[: len(shorter)] == shorter


def siren_of(business_number: str) -> str:
    digits = clean_number(business_number)
    if digits.isdigit() and len(digits) in (9, 14) and is_valid_siren(digits[:9]):
        return digits[:9]
    return ""


_NIVEAU_KIND = {
    "commune": Kind.COMMUNE.value,
    "departement": Kind.DEPARTEMENT.value,
    "region": Kind.REGION.value,
    "epci": Kind.EPCI.value,
}


def match(
    name: str, business_number: str, extras: dict[str, Any], index: ReferentielIndex, perimeter: Row | None
) -> MatchResult:
    siren = siren_of(business_number)
    if siren and siren in index.by_siren:
        row = index.by_siren[siren]
        return MatchResult(MatchStatus.AUTO, "siren", row.id, note=f"SIREN {siren} déclaré par la source")

    niveau = str(extras.get("siretisation:collectivite_territoriale:niveau") or "").lower()
    code = str(extras.get("siretisation:collectivite_territoriale:code_insee") or "")
    found_siren = siren_of(str(extras.get("siretisation:found_siret") or ""))
    if niveau in _NIVEAU_KIND and code and code != "nan":
        row_or_none = index.by_kind_code.get((_NIVEAU_KIND[niveau], code))
        if row_or_none is not None:
            row = row_or_none
            names = {
                name_of(name).loose,
                name_of(str(extras.get("siretisation:denomination_unite_legale") or "")).loose,
            }
            territory_name = name_of(row.nom).loose
            if (found_siren and found_siren == row.siren) or any(
                territory_name and (territory_name == n or territory_name in n.split(" pour ")) for n in names
            ):
                return MatchResult(
                    MatchStatus.AUTO, "siretisation", row.id, note=f"siretisation {niveau} {code} vérifiée"
                )
            return MatchResult(
                MatchStatus.TO_REVIEW,
                "siretisation",
                candidate_id=row.id,
                note=f"siretisation {niveau} {code} non confirmée par le nom ni le SIREN",
            )

    named = name_of(name)
    candidates = index.candidates(named)
    if perimeter is not None:
        inside = [r for r in candidates if index.inside(r, perimeter)]
        if len(inside) == 1:
            return MatchResult(
                MatchStatus.AUTO, "name", inside[0].id, note=f"nom dans le périmètre de {perimeter.nom}"
            )
        if len(inside) > 1:
            return _queued(inside, f"{len(inside)} collectivités portent ce nom dans le périmètre")
    if len(candidates) == 1 and named.kind:
        return MatchResult(
            MatchStatus.AUTO, "name", candidates[0].id, note="nom et type de collectivité uniques en France"
        )
    if len(candidates) == 1:
        return _queued(candidates, "nom seul, sans type de collectivité")
    if len(candidates) > 1:
        return _queued(candidates, f"{len(candidates)} collectivités portent ce nom")

    if siren or found_siren:
        est_collectivite = str(extras.get("siretisation:est_collectivite_territoriale") or "").lower()
        if est_collectivite == "false" or not extras:
            return MatchResult(
                MatchStatus.NOT_COLLECTIVITE,
                "siren",
                note=f"SIREN {siren or found_siren} absent du référentiel des collectivités",
            )
    # Never left unmatched in silence: a close name is proposed, a name that looks local is queued.
    close = index.proposals(named, perimeter)
    if perimeter is not None and len(close) == 1 and close[0][0] >= _TYPO_RATIO:
        # One letter off (« Guinguamp », « Mandre-les-Roses ») and nothing else near it in the perimeter.
        row = close[0][1]
        return MatchResult(
            MatchStatus.AUTO, "name", row.id, note=f"nom très proche de « {row.nom} » dans le périmètre"
        )
    if close:
        return _queued([row for _ratio, row in close], "nom proche, à confirmer")
    if _LOOKS_LOCAL.search(fold(name)):
        return MatchResult(MatchStatus.TO_REVIEW, "", note="aucune collectivité trouvée pour ce nom")
    return MatchResult(MatchStatus.UNMATCHED)


def _queued(rows: list[Row], reason: str) -> MatchResult:
    """A proposal for a person: the likeliest first (the most populous), the others named in the note."""
    ranked = sorted(rows, key=lambda r: -(r.population or 0))
    shown = ", ".join(f"{r.nom} ({r.kind}:{r.code})" for r in ranked[:_PROPOSALS_SHOWN])
    more = f" et {len(ranked) - _PROPOSALS_SHOWN} autres" if len(ranked) > _PROPOSALS_SHOWN else ""
    return MatchResult(
        MatchStatus.TO_REVIEW, "name", candidate_id=ranked[0].id, note=f"{reason} : {shown}{more}"
    )


def is_manual(publisher: Publisher) -> bool:
    return publisher.match_status in MANUAL_STATUSES or publisher.decided_by_id is not None


def outside_owner(result: MatchResult, index: ReferentielIndex, owner_area: Area | None) -> MatchResult:
    """An ATD source's publisher matched outside that ATD's perimeter goes to the coordinators' queue.

    An ATD may harvest a regional portal, but it must not make a collectivité of another ATD "open":
    the match becomes a proposal that only a coordinator can decide (``Publisher.decide``).
    """
    if owner_area is None or result.status != MatchStatus.AUTO or result.territory_id is None:
        return result
    row = index.by_id.get(result.territory_id)
    if row is None or index.places.inside(row, owner_area):
        return result
    return MatchResult(
        MatchStatus.TO_REVIEW,
        result.method,
        candidate_id=result.territory_id,
        note=f"{row.nom} est hors du périmètre de l'ATD de cette source : à décider par la coordination nationale",
    )


def apply(
    publisher: Publisher,
    index: ReferentielIndex,
    perimeter: Row | None,
    owner_area: Area | None = None,
) -> bool:
    """Match one publisher unless a person decided already; True when something changed."""
    if is_manual(publisher):
        return False
    result = match(publisher.name, publisher.business_number, publisher.extras or {}, index, perimeter)
    result = outside_owner(result, index, owner_area)
    before = (
        publisher.match_status,
        publisher.match_method,
        publisher.territory_id,
        publisher.candidate_id,
        publisher.match_note,
    )
    publisher.match_status = result.status
    publisher.match_method = result.method
    publisher.territory_id = result.territory_id
    publisher.candidate_id = result.candidate_id
    publisher.match_note = result.note[:300]
    return before != (
        publisher.match_status,
        publisher.match_method,
        publisher.territory_id,
        publisher.candidate_id,
        publisher.match_note,
    )
