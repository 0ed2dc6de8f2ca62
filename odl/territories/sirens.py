"""The SIREN of départements and régions, shipped as facts with the référentiel's own data.

The npm package of the référentiel gives a SIREN to communes and EPCI only. The départements' and
régions' come from ``data/sirens.csv`` (one line per collectivité: level, COG code, SIREN, name, former
SIRENs, sources), written from the public tables named in :data:`SOURCES`. Where two sources give a
number they agree, except for Corse: OpenDataFrance's 2021 table still has the Région de Corse's SIREN
from before the Collectivité de Corse (2018), kept as a former SIREN so that tables of that time match.

Not shipped, on purpose: Paris (the Ville de Paris's SIREN is the commune 75056's), Corse-du-Sud and
Haute-Corse, Martinique and Guyane as départements, Mayotte as a région (their competences are
exercised by another collectivité, which carries the SIREN), and the other collectivités d'outre-mer.

A SIREN imported by a person (``odl import_sirens``) is never replaced by these facts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from odl.territories.models import Kind, Territory, referentiel_changed

FACTS = Path(__file__).parent / "data" / "sirens.csv"

SOURCES = {
    "odf2021": (
        "OpenDataFrance, Observatoire open data des territoires, table des organisations de l'édition 2021 "
        "(ODF-Observatoire-organisations-221019.csv, licence ODbL-1.0)"
    ),
    "francedata": (
        "django-francedata 0.16.2 (PyPI, AGPL-3.0), fichiers francedata/resources/departements-siren.csv "
        "et regions-siren.csv"
    ),
    "datagouv": "data.gouv.fr, organisation « SGAR Auvergne-Rhône-Alpes » (business_number_id)",
}


@dataclass(frozen=True)
class SirenFact:
    kind: str
    code: str
    siren: str
    nom: str
    former: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def sources_label(self) -> str:
        return " ; ".join(SOURCES[s] for s in self.sources)


@cache
def facts() -> tuple[SirenFact, ...]:
    with FACTS.open(encoding="utf-8", newline="") as handle:
        return tuple(
            SirenFact(
                kind=Kind(row["niveau"]).value,
                code=row["code"],
                siren=row["siren"],
                nom=row["nom"],
                former=tuple(row["anciens_siren"].split()),
                sources=tuple(row["sources"].split()),
            )
            for row in csv.DictReader(handle)
        )


def former_sirens() -> dict[str, tuple[str, str]]:
    """Former SIREN → (kind, code) of the collectivité that carries it on today."""
    return {old: (fact.kind, fact.code) for fact in facts() for old in fact.former}


def apply_facts() -> int:
    """Give their SIREN to the départements and régions that have none; how many were given one."""
    filled = 0
    for fact in facts():
        filled += Territory.objects.filter(kind=fact.kind, code=fact.code, siren="").update(siren=fact.siren)
    if filled:
        referentiel_changed()
    return filled
