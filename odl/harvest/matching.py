"""Who published it: link a harvested publisher to a collectivité of the référentiel.

Order (design §4): the declared SIRET/SIREN (data.gouv.fr ``business_number_id``), then data.gouv.fr's
``siretisation:*`` extras checked against the référentiel, then the name within the source's territory,
else the review queue. A person's decision (accepted, rejected, not a collectivité) is never redone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.db.models import Q

from odl.atds.models import Atd, area_of
from odl.core.identifiers import clean_number, is_valid_siren
from odl.core.text import fold
from odl.harvest.models import MANUAL_STATUSES, MatchStatus, Publisher
from odl.territories.models import Area, Kind, Territory
from odl.territories.perimeters import Places
from odl.territories.sirens import former_sirens

# Folded prefixes that say nothing about which collectivité it is, with the kind they imply.
# Longest first: "conseil departemental du" must win over "conseil departemental".
_PREFIXES: list[tuple[str, str]] = sorted(
    [
        *(
            (f"{word} {link}", Kind.COMMUNE.value)
            for word in ("ville", "commune", "mairie")
            for link in ("de", "d", "du", "des")
        ),
        ("ville", Kind.COMMUNE.value),
        ("commune", Kind.COMMUNE.value),
        ("mairie", Kind.COMMUNE.value),
        *(
            (f"{word} {link}", Kind.DEPARTEMENT.value)
            for word in ("departement", "conseil departemental", "conseil general")
            for link in ("de", "d", "du", "des", "de la")
        ),
        ("departement", Kind.DEPARTEMENT.value),
        ("conseil departemental", Kind.DEPARTEMENT.value),
        *(
            (f"{word} {link}", Kind.REGION.value)
            for word in ("region", "conseil regional")
            for link in ("de", "d", "du", "des")
        ),
        ("region", Kind.REGION.value),
        ("conseil regional", Kind.REGION.value),
    ],
    key=lambda pair: -len(pair[0]),
)
# Bodies that publish for someone else: what follows "pour" names the collectivité.
_ON_BEHALF = re.compile(r"^(?:megalis(?: bretagne)?|[a-z0-9 ]{2,40}?) pour (?:le compte de )?(.+)$")
_PARENTHESES = re.compile(r"\([^)]*\)")
_EPCI_WORDS = (
    ("communaute d agglomeration", "ca"),
    ("communaute de communes", "cc"),
    ("communaute urbaine", "cu"),
    ("communaute de l agglomeration", "ca"),
)
# Names that usually are collectivités (worth a person's look when nothing matched).
_LOOKS_LOCAL = re.compile(
    r"\b(ville|commune|mairie|departement|region|metropole|communaute|agglo|cc|ca|cu)\b"
)


@lru_cache(maxsize=200_000)
def core_name(name: str) -> tuple[str, str]:
    """The distinctive part of a publisher's or collectivité's name, and the kind its prefix implies."""
    text = fold(_PARENTHESES.sub(" ", name or ""))
    behalf = _ON_BEHALF.match(text)
    if behalf and text.startswith("megalis"):
        text = re.sub(r"^(?:la|le|l) (?=commune|ville|mairie|departement|region)", "", behalf.group(1))
    for words, short in _EPCI_WORDS:
        text = re.sub(rf"\b{words}\b", short, text)
    kind = ""
    changed = True
    while changed:
        changed = False
        for prefix, prefix_kind in _PREFIXES:
            if text.startswith(prefix + " "):
                text = text[len(prefix) + 1 :]
                kind = kind or prefix_kind
                changed = True
                break
    if re.match(r"^(cc|ca|cu|metropole)\b", text) or text.endswith(" metropole"):
        kind = kind or Kind.EPCI.value
    return text.strip(), kind


class Row(NamedTuple):
    id: int
    kind: str
    code: str
    siren: str
    nom: str
    departement_code: str
    region_code: str
    epci_id: int | None


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
        self.by_name: dict[str, list[Row]] = defaultdict(list)
        fields = ("id", "kind", "code", "siren", "nom", "departement_code", "region_code", "epci_id")
        for values in Territory.objects.collectivites().values_list(*fields).iterator(chunk_size=5000):
            row = Row(*values)
            self.by_id[row.id] = row
            if row.siren:
                self.by_siren[row.siren] = row
            self.by_kind_code[(row.kind, row.code)] = row
            name, _kind = core_name(row.nom)
            self.by_name[name].append(row)
        # A publisher may still declare the SIREN a collectivité had before (Collectivité de Corse).
        for old, key in former_sirens().items():
            successor = self.by_kind_code.get(key)
            if successor is not None:
                self.by_siren.setdefault(old, successor)
        self.places = Places(self.by_id.values())
        self._perimeters: dict[int, Row | None] = {}
        self._areas: dict[int, Area] = {}
        self._owner_areas: dict[int, Area | None] = {}

    def perimeter(self, territory_id: int | None) -> Row | None:
        if territory_id is None:
            return None
        if territory_id not in self._perimeters:
            row = self.by_id.get(territory_id)
            if row is None:
                values = Territory.objects.filter(pk=territory_id).values_list(
                    "id", "kind", "code", "siren", "nom", "departement_code", "region_code", "epci_id"
                )
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
                core_name(name)[0],
                core_name(str(extras.get("siretisation:denomination_unite_legale") or ""))[0],
            }
            territory_name = core_name(row.nom)[0]
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

    core, kind = core_name(name)
    candidates = [r for r in index.by_name.get(core, []) if not kind or r.kind == kind]
    if perimeter is not None:
        inside = [r for r in candidates if index.inside(r, perimeter)]
        if len(inside) == 1:
            return MatchResult(
                MatchStatus.AUTO, "name", inside[0].id, note=f"nom dans le périmètre de {perimeter.nom}"
            )
        if len(inside) > 1:
            return MatchResult(
                MatchStatus.TO_REVIEW,
                "name",
                note=f"{len(inside)} collectivités portent ce nom dans le périmètre",
            )
    if len(candidates) == 1 and kind:
        return MatchResult(
            MatchStatus.AUTO, "name", candidates[0].id, note="nom et type de collectivité uniques en France"
        )
    if len(candidates) == 1:
        return MatchResult(
            MatchStatus.TO_REVIEW,
            "name",
            candidate_id=candidates[0].id,
            note="nom seul, sans type de collectivité",
        )
    if len(candidates) > 1:
        return MatchResult(
            MatchStatus.TO_REVIEW, "name", note=f"{len(candidates)} collectivités portent ce nom"
        )

    if siren or found_siren:
        est_collectivite = str(extras.get("siretisation:est_collectivite_territoriale") or "").lower()
        if est_collectivite == "false" or not extras:
            return MatchResult(
                MatchStatus.NOT_COLLECTIVITE,
                "siren",
                note=f"SIREN {siren or found_siren} absent du référentiel des collectivités",
            )
    if _LOOKS_LOCAL.search(fold(name)):
        return MatchResult(MatchStatus.TO_REVIEW, "", note="aucune collectivité trouvée pour ce nom")
    return MatchResult(MatchStatus.UNMATCHED)


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
