"""Loading the référentiel from the npm package ``@etalab/decoupage-administratif``.

Idempotent: rows are keyed by (kind, code); a reload updates what changed, creates what is new,
marks as inactive what vanished (merged communes), and never touches what other tables or
imports attached to a row (agents, SIREN of départements and régions, conventions…). The package has
no SIREN for départements and régions: the facts shipped in ``data/sirens.csv`` give them to those
that have none (``odl.territories.sirens``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from odl.core.text import fold
from odl.territories.models import Kind, ReferentielLoad, Territory, referentiel_changed
from odl.territories.sirens import apply_facts

PACKAGE = "@etalab/decoupage-administratif"
FILES = ("regions.json", "departements.json", "epci.json", "ept.json", "communes.json")

# Package major version → COG year, as the package's README tables it. The population figures of a
# COG year are INSEE's populations légales of three years earlier (in force on 1 January).
COG_YEAR_BY_MAJOR = {1: 2021, 2: 2022, 3: 2023, 4: 2024, 5: 2025, 6: 2026}

# Collectivités whose competences are exercised by another one: counted once, under the other.
EXERCISED_BY: dict[tuple[str, str], tuple[str, str]] = {
    ("departement", "2A"): (
        "la Collectivité de Corse (région 94)",
        "Depuis le 1er janvier 2018, la Collectivité de Corse exerce les compétences des deux départements.",
    ),
    ("departement", "2B"): (
        "la Collectivité de Corse (région 94)",
        "Depuis le 1er janvier 2018, la Collectivité de Corse exerce les compétences des deux départements.",
    ),
    ("departement", "972"): (
        "la Collectivité territoriale de Martinique (région 02)",
        "Collectivité territoriale unique depuis 2015 : région et département ne font qu'un.",
    ),
    ("departement", "973"): (
        "la Collectivité territoriale de Guyane (région 03)",
        "Collectivité territoriale unique depuis 2015 : région et département ne font qu'un.",
    ),
    ("region", "06"): (
        "le Département de Mayotte (976)",
        "Le Département de Mayotte exerce aussi les compétences d'une région.",
    ),
    ("departement", "75"): (
        "la Ville de Paris (commune 75056)",
        "Depuis 2019, la Ville de Paris exerce les compétences de la commune et du département.",
    ),
    ("departement", "68"): (
        "la Collectivité européenne d'Alsace (comptée sous le département 67)",
        "Depuis 2021, la Collectivité européenne d'Alsace réunit le Bas-Rhin et le Haut-Rhin.",
    ),
}
NOTES: dict[tuple[str, str], str] = {
    (
        "departement",
        "67",
    ): "Collectivité européenne d'Alsace depuis 2021 : exerce aussi les compétences du Haut-Rhin.",
    ("region", "94"): "Collectivité de Corse : exerce aussi les compétences des départements 2A et 2B.",
    ("region", "02"): "Collectivité territoriale de Martinique : région et département à la fois.",
    ("region", "03"): "Collectivité territoriale de Guyane : région et département à la fois.",
    ("departement", "976"): "Département de Mayotte : exerce aussi les compétences d'une région.",
    ("commune", "75056"): "Ville de Paris : commune et département à la fois.",
    ("epci", "200046977"): (
        "La Métropole de Lyon est une collectivité territoriale à statut particulier : elle exerce "
        "sur son territoire les compétences d'une métropole et du département."
    ),
}
COM_NOTE = (
    "Collectivité d'outre-mer (COM) : la loi pour une République numérique s'y applique selon le "
    "statut propre de chaque collectivité ; l'obligation est à vérifier au cas par cas."
)

HASHED_FIELDS = (
    "siren",
    "nom",
    "nature",
    "zone",
    "population",
    "population_millesime",
    "departement_code",
    "region_code",
    "codes_postaux",
    "epci_id",
    "parent_id",
    "note",
    "exercised_by",
    "search_text",
    "active",
)


class ReferentielError(Exception):
    """The source cannot be loaded; the message is in French."""


@dataclass
class SourceInfo:
    directory: Path
    version: str
    cog_year: int
    population_millesime: int


def default_source() -> Path:
    return Path(settings.NODE_MODULES_DIR) / "@etalab" / "decoupage-administratif" / "data"


def describe_source(directory: Path, cog_year: int | None = None, millesime: int | None = None) -> SourceInfo:
    if not directory.is_dir():
        raise ReferentielError(
            f"Le dossier du référentiel « {directory} » est introuvable. Lancez « make run » ou "
            f"« npm ci » pour installer le paquet {PACKAGE}, ou indiquez --source DOSSIER."
        )
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        raise ReferentielError(f"Fichiers manquants dans « {directory} » : {', '.join(missing)}.")
    version = "inconnue"
    for candidate in (directory / "package.json", directory.parent / "package.json"):
        if candidate.is_file():
            try:
                version = str(json.loads(candidate.read_text(encoding="utf-8")).get("version", "inconnue"))
            except (ValueError, OSError):
                pass
            break
    if cog_year is None:
        try:
            cog_year = COG_YEAR_BY_MAJOR[int(version.split(".")[0])]
        except (KeyError, ValueError) as exc:
            raise ReferentielError(
                f"Version du paquet « {version} » : millésime du COG inconnu. Précisez-le avec --cog-year."
            ) from exc
    return SourceInfo(directory, version, cog_year, millesime if millesime is not None else cog_year - 3)


def _read(directory: Path, name: str) -> list[dict[str, Any]]:
    try:
        data = json.loads((directory / name).read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise ReferentielError(f"Le fichier « {name} » du référentiel est illisible : {exc}") from exc
    if not isinstance(data, list):
        raise ReferentielError(f"Le fichier « {name} » du référentiel devrait contenir une liste.")
    return data


def _hash(values: dict[str, Any]) -> str:
    raw = "\x1f".join(str(values.get(f, "")) for f in HASHED_FIELDS)
    return hashlib.md5(raw.encode("utf-8"), usedforsecurity=False).hexdigest()


Progress = Callable[[str, int, int], None]


def load_referentiel(
    directory: Path | None = None,
    *,
    cog_year: int | None = None,
    millesime: int | None = None,
    progress: Progress | None = None,
) -> ReferentielLoad:
    info = describe_source(directory or default_source(), cog_year, millesime)
    raw = {name: _read(info.directory, name) for name in FILES}
    report = progress or (lambda stage, done, total: None)

    with transaction.atomic():
        record = ReferentielLoad.objects.create(
            source=f"{PACKAGE}",
            version=info.version,
            cog_year=info.cog_year,
            population_millesime=info.population_millesime,
        )
        existing: dict[tuple[str, str], tuple[int, str]] = {
            (k, c): (pk, h) for pk, k, c, h in Territory.objects.values_list("id", "kind", "code", "row_hash")
        }
        ids: dict[tuple[str, str], int] = {key: pk for key, (pk, _) in existing.items()}
        seen: set[tuple[str, str]] = set()
        counters = {"created": 0, "updated": 0, "unchanged": 0}

        def sync(stage: str, rows: list[dict[str, Any]]) -> None:
            to_create: list[Territory] = []
            to_update: list[Territory] = []
            for index, values in enumerate(rows):
                key = (values["kind"], values["code"])
                seen.add(key)
                values["active"] = True
                values["row_hash"] = _hash(values)
                current = existing.get(key)
                if current is None:
                    to_create.append(Territory(referentiel=record, **values))
                elif current[1] != values["row_hash"]:
                    to_update.append(Territory(id=current[0], referentiel=record, **values))
                else:
                    counters["unchanged"] += 1
                if index % 2000 == 0:
                    report(stage, index, len(rows))
            created = Territory.objects.bulk_create(to_create, batch_size=2000)
            for obj in created:
                ids[(obj.kind, obj.code)] = obj.pk
            if to_update:
                # Only the fields the source provides: a SIREN imported for a département survives.
                fields = [f for f in HASHED_FIELDS if f in rows[0]]
                Territory.objects.bulk_update(to_update, [*fields, "row_hash", "referentiel"], batch_size=500)
            counters["created"] += len(created)
            counters["updated"] += len(to_update)
            report(stage, len(rows), len(rows))

        communes_raw = raw["communes.json"]
        current = [c for c in communes_raw if c.get("type") == "commune-actuelle"]
        # The population municipale of a département or région is the sum of its communes'.
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for c in current:
            totals[("departement", c.get("departement", ""))] += c.get("population") or 0
            totals[("region", c.get("region", ""))] += c.get("population") or 0
        sync("régions", [_region(r, info, totals) for r in raw["regions.json"]])
        sync("départements", [_departement(d, info, totals) for d in raw["departements.json"]])

        commune_by_code = {c["code"]: c for c in current}
        epci_of: dict[str, str] = {}
        for epci in raw["epci.json"]:
            for member in epci.get("membres", []):
                epci_of[member["code"]] = epci["code"]
        sync("EPCI", [_epci(e, commune_by_code, info) for e in raw["epci.json"]])
        sync("EPT", [_epci(e, commune_by_code, info, kind=Kind.EPT) for e in raw["ept.json"]])

        children: dict[str, list[str]] = defaultdict(list)
        for c in communes_raw:
            parent = c.get("chefLieu") or c.get("commune")
            if c.get("type") != "commune-actuelle" and parent:
                children[parent].append(c["nom"])
        sync(
            "communes",
            [
                _commune(c, info, ids.get(("epci", epci_of.get(c["code"], ""))), children[c["code"]])
                for c in current
            ],
        )
        others = [c for c in communes_raw if c.get("type") != "commune-actuelle"]
        sync("communes déléguées et arrondissements", [_child(c, info, ids) for c in others])

        apply_facts()
        vanished = [pk for key, (pk, _) in existing.items() if key not in seen]
        retired = Territory.objects.filter(pk__in=vanished, active=True).update(active=False, row_hash="")
        record.created = counters["created"]
        record.updated = counters["updated"]
        record.unchanged = counters["unchanged"]
        record.retired = retired
        record.save()
        referentiel_changed()
    return record


def _special(kind: str, code: str, zone: str) -> dict[str, str]:
    exercised, note = EXERCISED_BY.get((kind, code), ("", NOTES.get((kind, code), "")))
    if zone == "com" and kind in ("commune", "departement", "region"):
        note = COM_NOTE
        if kind == "region":
            exercised = f"la collectivité d'outre-mer (comptée une fois, sous le département {code})"
    return {"exercised_by": exercised, "note": note}


def _region(r: dict[str, Any], info: SourceInfo, totals: dict[tuple[str, str], int]) -> dict[str, Any]:
    zone = r.get("zone", "metro")
    population = totals.get(("region", r["code"])) or None
    return {
        "kind": Kind.REGION,
        "code": r["code"],
        "nom": r["nom"],
        "nature": "",
        "zone": zone,
        "population": population,
        "population_millesime": info.population_millesime if population else None,
        "departement_code": "",
        "region_code": r["code"],
        "codes_postaux": "",
        "epci_id": None,
        "parent_id": None,
        "search_text": f"{fold(r['nom'])} {r['code']}",
        **_special("region", r["code"], zone),
    }


def _departement(d: dict[str, Any], info: SourceInfo, totals: dict[tuple[str, str], int]) -> dict[str, Any]:
    zone = d.get("zone", "metro")
    population = totals.get(("departement", d["code"])) or None
    return {
        "kind": Kind.DEPARTEMENT,
        "code": d["code"],
        "nom": d["nom"],
        "nature": "",
        "zone": zone,
        "population": population,
        "population_millesime": info.population_millesime if population else None,
        "departement_code": d["code"],
        "region_code": d.get("region", ""),
        "codes_postaux": "",
        "epci_id": None,
        "parent_id": None,
        "search_text": f"{fold(d['nom'])} {d['code'].lower()}",
        **_special("departement", d["code"], zone),
    }


def _epci(
    e: dict[str, Any], communes: dict[str, dict[str, Any]], info: SourceInfo, kind: str = Kind.EPCI
) -> dict[str, Any]:
    # An EPCI has no département of its own in the source: take that of its most populous member.
    members = [communes[m["code"]] for m in e.get("membres", []) if m["code"] in communes]
    main = max(members, key=lambda c: c.get("population") or 0) if members else {}
    nature = e.get("type", "EPT" if kind == Kind.EPT else "")
    return {
        "kind": kind,
        "code": e["code"],
        "siren": e["code"],
        "nom": e["nom"],
        "nature": nature,
        "zone": main.get("zone", "metro"),
        "population": e.get("populationMunicipale"),
        "population_millesime": info.population_millesime
        if e.get("populationMunicipale") is not None
        else None,
        "departement_code": main.get("departement", ""),
        "region_code": main.get("region", ""),
        "codes_postaux": "",
        "epci_id": None,
        "parent_id": None,
        "search_text": f"{fold(e['nom'])} {e['code']}",
        **_special(kind, e["code"], "metro"),
    }


def _commune(
    c: dict[str, Any], info: SourceInfo, epci_id: int | None, child_names: list[str]
) -> dict[str, Any]:
    zone = c.get("zone", "metro")
    postcodes = " ".join(c.get("codesPostaux", []))
    extra = " ".join(fold(n) for n in child_names)
    return {
        "kind": Kind.COMMUNE,
        "code": c["code"],
        "siren": c.get("siren", ""),
        "nom": c["nom"],
        "nature": "",
        "zone": zone,
        "population": c.get("population"),
        "population_millesime": info.population_millesime if c.get("population") is not None else None,
        "departement_code": c.get("departement", ""),
        "region_code": c.get("region", ""),
        "codes_postaux": postcodes,
        "epci_id": epci_id,
        "parent_id": None,
        "search_text": f"{fold(c['nom'])} | {extra}".strip(" |"),
        **_special("commune", c["code"], zone),
    }


_CHILD_KINDS = {
    "commune-deleguee": Kind.COMMUNE_DELEGUEE,
    "commune-associee": Kind.COMMUNE_ASSOCIEE,
    "arrondissement-municipal": Kind.ARRONDISSEMENT,
}


def _child(c: dict[str, Any], info: SourceInfo, ids: dict[tuple[str, str], int]) -> dict[str, Any]:
    parent_code = c.get("chefLieu") or c.get("commune") or ""
    return {
        "kind": _CHILD_KINDS.get(c.get("type", ""), Kind.COMMUNE_DELEGUEE),
        "code": c["code"],
        "siren": c.get("siren", ""),
        "nom": c["nom"],
        "nature": "",
        "zone": c.get("zone", "metro"),
        "population": c.get("population"),
        "population_millesime": info.population_millesime if c.get("population") is not None else None,
        "departement_code": c.get("departement", ""),
        "region_code": c.get("region", ""),
        "codes_postaux": " ".join(c.get("codesPostaux", [])),
        "epci_id": None,
        "parent_id": ids.get(("commune", parent_code)),
        "search_text": fold(c["nom"]),
        "exercised_by": "",
        "note": "",
    }
