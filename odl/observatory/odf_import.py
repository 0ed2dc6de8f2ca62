"""Import of OpenDataFrance's published organisations table as a dated snapshot.

The Observatoire open data des territoires lists the organisations that publish at least one dataset
under their own name ("acteurs"), keyed by SIREN, with their type (COM, CA, CC, CU, MET, EPT, DEP, REG,
and non-collectivités: AGCT, OACT, DSPT, SDE), their région (``BRE-53``), the platforms they publish on
and how many datasets there (``nb-ptf``) and on data.gouv.fr (``nb-datagouv``). Each edition becomes a
snapshot so that history starts with the published editions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Q

from odl.core.dbvalues import db_int, too_long
from odl.core.spreadsheets import Table, UnreadableFile, read_table
from odl.harvest.names import grouping_keys, name_of
from odl.observatory.history import warm_caches
from odl.observatory.models import Snapshot, SnapshotEntry, SnapshotOrigin
from odl.territories.models import Area, Kind, Territory
from odl.territories.perimeters import Places

# ODF organisation type → kind of the référentiel; the others are not collectivités.
TYPE_KINDS = {
    "COM": Kind.COMMUNE,
    "CA": Kind.EPCI,
    "CC": Kind.EPCI,
    "CU": Kind.EPCI,
    "MET": Kind.EPCI,
    "EPT": Kind.EPT,
    "DEP": Kind.DEPARTEMENT,
    "REG": Kind.REGION,
}
TYPE_LABELS = {
    "COM": "Commune",
    "CC": "Communauté de communes",
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
    "MET": "Métropole",
    "EPT": "Établissement public territorial",
    "DEP": "Département",
    "REG": "Région",
    "AGCT": "Autre groupement de collectivités (SMI, GIP…)",
    "OACT": "Organisme associé (office de tourisme, régie…)",
    "DSPT": "Délégataire de service public",
    "SDE": "Syndicat d'énergie",
}
REQUIRED_COLUMNS = ("siren", "nom", "type", "regcode")
# Past a billion, a count is a typing error; the sum of two stays within a PositiveIntegerField everywhere.
MAX_COUNT = 1_000_000_000
# Spelling variants of the same technology in ODF's platform table.
TECHNOLOGY_ALIASES = {"arcgis": "ArcGIS", "datagouv": "data.gouv.fr", "opendatasoft": "Opendatasoft"}

METHOD = (
    "Édition {edition} de l'Observatoire open data des territoires d'OpenDataFrance (table des "
    "organisations, licence ODbL). Une organisation y figure quand elle publie au moins un jeu de "
    "données sous son propre nom, sur data.gouv.fr ou sur un portail local ; le recensement est fait "
    "par moissonnage et curation manuelle. Rapprochement au référentiel par SIREN, puis par code pour "
    "les départements et les régions ; une collectivité dont le SIREN a changé depuis l'édition (fusion "
    "d'EPCI, commune nouvelle) est retrouvée par son nom et son type dans son département ou sa région. "
    "Nombre de jeux : nb-ptf + nb-datagouv quand l'organisation ne "
    "publie qu'à un endroit ; le plus grand des deux quand elle publie aux deux (data.gouv.fr moissonne "
    "souvent le portail local : la somme compterait deux fois les mêmes jeux)."
)


class ImportError_(ValueError):
    """The file cannot be imported; the message is in French and names the line or the column."""


@dataclass
class ImportReport:
    snapshot: Snapshot
    rows: int = 0
    matched: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    by_region: Counter[str] = field(default_factory=Counter)
    unmatched_collectivites: list[dict[str, str]] = field(default_factory=list)
    recovered: list[dict[str, str]] = field(default_factory=list)
    outside_referentiel: int = 0
    cleaned_sirens: list[dict[str, str]] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    replaced: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "matched": self.matched,
            "by_type": dict(self.by_type),
            "by_region": dict(self.by_region),
            "unmatched_collectivites": self.unmatched_collectivites,
            "recovered": self.recovered,
            "outside_referentiel": self.outside_referentiel,
            "cleaned_sirens": self.cleaned_sirens,
            "rejected": self.rejected,
        }


def region_code(regcode: str) -> str:
    """``BRE-53`` → ``53``; ``GP-01`` → ``01``; ``NC``, ``PF`` or empty → ``""`` (no région of the COG)."""
    match = re.fullmatch(r"[A-Z]+-(\d{2})", regcode.strip().upper())
    return match.group(1) if match else ""


def clean_siren(value: str) -> str:
    """Keep the digits: the table has SIRENs with a trailing space or an invisible direction mark."""
    return re.sub(r"\D", "", value)


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def normalise_technology(value: str) -> str:
    return TECHNOLOGY_ALIASES.get(value.strip().lower(), value.strip())


class _BadRow(ValueError):
    """One row cannot be imported; the others still are."""


def _int(value: str, column: str = "") -> int | None:
    """A count of the table; an empty or non-numeric cell is unknown, an absurd number refuses the row."""
    text = value.strip().replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
    if not text or not text.isascii() or not text.isdigit():
        return None
    try:
        # PositiveIntegerField: the same bound on SQLite (OverflowError past 64 bits) and PostgreSQL.
        return db_int(text, maximum=MAX_COUNT)
    except ValueError as exc:
        raise _BadRow(f"{column} : {exc}" if column else str(exc)) from exc


def datasets_estimate(nb_ptf: int | None, nb_datagouv: int | None) -> int:
    values = [v for v in (nb_ptf, nb_datagouv) if v is not None]
    if len(values) == 2:
        return max(values)
    return sum(values)


def read_organisations(path: Path | str) -> Table:
    try:
        table = read_table(path)
    except UnreadableFile as exc:
        raise ImportError_(str(exc)) from exc
    keys = [h.strip().lower() for h in table.header]
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        raise ImportError_(
            f"« {Path(path).name} » n'est pas une table des organisations de l'Observatoire : "
            f"colonne(s) absente(s) : {', '.join(missing)}. Colonnes trouvées : {', '.join(table.header)}."
        )
    return table


def import_edition(
    path: Path | str, edition: int, date: dt.date | None = None, label: str | None = None
) -> ImportReport:
    """Import (or re-import, replacing it) the snapshot of an ODF edition. Atomic: all or nothing."""
    if edition < 2000 or edition > 2100:
        raise ImportError_(f"Édition « {edition} » invalide : indiquez une année (ex. 2021).")
    date = date or dt.date(edition, 12, 31)
    snapshot = Snapshot(
        date=date,
        label=label or f"Observatoire OpenDataFrance, édition {edition}",
        origin=SnapshotOrigin.ODF,
        edition=edition,
        method=METHOD.format(edition=edition),
        source_name=Path(path).name,
    )
    problems = too_long(snapshot, {"label": "libellé", "source_name": "nom du fichier"})
    if problems:
        raise ImportError_("Instantané refusé : " + " ; ".join(problems) + ".")
    table = read_organisations(path)
    territories = _territory_index()
    entries: list[SnapshotEntry] = []
    seen: dict[str, int] = {}
    report_rows: list[tuple[int, dict[str, str]]] = list(
        zip(table.line_numbers or range(2, len(table.rows) + 2), table.dicts(), strict=False)
    )
    by_type: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    pending: list[tuple[int, SnapshotEntry, str, str]] = []
    cleaned: list[dict[str, str]] = []
    rejected: list[dict[str, str]] = []
    outside = 0
    matched = 0
    for line, row in report_rows:
        raw_siren = row.get("siren", "")
        siren = clean_siren(raw_siren)
        org_type = row.get("type", "").strip().upper()
        if len(siren) != 9:
            rejected.append(
                {
                    "ligne": str(line),
                    "siren": raw_siren,
                    "nom": row.get("nom", ""),
                    "raison": "SIREN absent ou pas à 9 chiffres",
                }
            )
            continue
        if siren != raw_siren:
            cleaned.append({"ligne": str(line), "siren": siren, "brut": repr(raw_siren)})
        if siren in seen:
            rejected.append(
                {
                    "ligne": str(line),
                    "siren": siren,
                    "nom": row.get("nom", ""),
                    "raison": f"SIREN déjà présent ligne {seen[siren]}",
                }
            )
            continue
        try:
            nb_ptf = _int(row.get("nb-ptf", ""), "nb-ptf")
            nb_datagouv = _int(row.get("nb-datagouv", ""), "nb-datagouv")
            population = _int(row.get("pop-insee", ""), "pop-insee")
        except _BadRow as exc:
            rejected.append(
                {"ligne": str(line), "siren": siren, "nom": row.get("nom", ""), "raison": str(exc)}
            )
            continue
        seen[siren] = line
        by_type[org_type] += 1
        reg = region_code(row.get("regcode", ""))
        by_region[row.get("regcode", "").strip() or "(vide)"] += 1
        dep = row.get("département", row.get("dep", "")).strip().upper()
        if dep.isdigit() and len(dep) == 1:
            dep = "0" + dep
        territory, method = _match(territories, siren, org_type, dep, reg)
        if territory is not None:
            matched += 1
        elif org_type not in TYPE_KINDS:
            outside += 1
        technologies = sorted(
            {normalise_technology(t) for t in split_list(row.get("techno (from plateformes)", ""))}
        )
        entries.append(
            SnapshotEntry(
                territory=territory,
                siren=siren,
                nom=row.get("nom", "")[:300],
                organisation_type=org_type[:10],
                is_open=True,
                datasets_count=datasets_estimate(nb_ptf, nb_datagouv),
                platforms=split_list(row.get("ptf", "")),
                technologies=technologies,
                schemas=[],
                region_code=territory.region_code if territory is not None else reg,
                departement_code=(territory.departement_code if territory is not None else "") or dep[:3],
                population=population,
                match_method=method,
                raw={k: v for k, v in row.items() if v},
            )
        )
        if territory is None and org_type in TYPE_KINDS:
            # « 77,91 » or a typo: the région, then, is where to look for it by name.
            known_dep = dep if (Kind.DEPARTEMENT, dep) in territories else ""
            pending.append((line, entries[-1], known_dep, reg))
    recovered, unmatched = _recover(pending, {e.territory_id for e in entries if e.territory_id})
    matched += len(recovered)
    with transaction.atomic():
        old = Snapshot.objects.filter(origin=SnapshotOrigin.ODF, edition=edition)
        replaced = old.exists()
        old.delete()
        # The demonstration's fictitious snapshots never stand beside real measures.
        Snapshot.objects.filter(origin=SnapshotOrigin.DEMO).delete()
        snapshot.save()
        for entry in entries:
            entry.snapshot = snapshot
        SnapshotEntry.objects.bulk_create(entries, batch_size=500)
        result = ImportReport(
            snapshot=snapshot,
            rows=len(entries),
            matched=matched,
            by_type=by_type,
            by_region=by_region,
            unmatched_collectivites=unmatched,
            recovered=recovered,
            outside_referentiel=outside,
            cleaned_sirens=cleaned,
            rejected=rejected,
            replaced=replaced,
        )
        snapshot.report = result.as_dict()
        snapshot.save(update_fields=["report"])
    warm_caches(snapshot)
    return result


def _territory_index() -> dict[tuple[str, str], Territory]:
    index: dict[tuple[str, str], Territory] = {}
    for territory in Territory.objects.filter(active=True).only(
        "id", "kind", "code", "siren", "region_code", "departement_code", "nom"
    ):
        if territory.siren:
            index.setdefault(("siren", territory.siren), territory)
        if territory.kind in (Kind.DEPARTEMENT, Kind.REGION):
            index[(territory.kind, territory.code)] = territory
    return index


def _match(
    index: dict[tuple[str, str], Territory], siren: str, org_type: str, dep: str, reg: str
) -> tuple[Territory | None, str]:
    territory = index.get(("siren", siren))
    if territory is not None:
        return territory, "siren"
    # The référentiel package carries no SIREN for départements and régions: their COG code is exact.
    if org_type == "DEP" and dep:
        territory = index.get((Kind.DEPARTEMENT, dep))
    elif org_type == "REG" and reg:
        territory = index.get((Kind.REGION, reg))
    return (territory, "code") if territory is not None else (None, "")


# The kinds an ODF type may name today: a commune may have become a commune déléguée of a commune nouvelle.
_RECOVERY_KINDS: dict[str, tuple[str, ...]] = {
    Kind.COMMUNE: (Kind.COMMUNE, Kind.COMMUNE_DELEGUEE, Kind.COMMUNE_ASSOCIEE),
    Kind.EPCI: (Kind.EPCI,),
    Kind.EPT: (Kind.EPT,),
    Kind.DEPARTEMENT: (Kind.DEPARTEMENT,),
    Kind.REGION: (Kind.REGION,),
}


class _Place(NamedTuple):
    id: int
    kind: str
    code: str
    siren: str
    nom: str
    departement_code: str
    region_code: str
    epci_id: int | None
    parent_id: int | None


def _recover(
    pending: list[tuple[int, SnapshotEntry, str, str]], taken: set[int]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Find, by name and kind within its département (else its région), each collectivité whose SIREN
    is not in the référentiel any more; set it on the entry. Returns (recovered, still unmatched).

    A commune that became a commune déléguée is recovered as its commune nouvelle. A collectivité found
    twice, or already in the table under its new SIREN, is not recovered: it is listed with the reason.
    """
    if not pending:
        return [], []
    kinds = {k for entry in pending for k in _RECOVERY_KINDS[TYPE_KINDS[entry[1].organisation_type]]}
    fields = ("id", "kind", "code", "siren", "nom", "departement_code", "region_code", "epci_id", "parent_id")
    places_rows = [
        _Place(*values)
        for values in Territory.objects.filter(active=True)
        .filter(Q(kind__in=kinds) | Q(kind=Kind.COMMUNE))
        .values_list(*fields)
    ]
    by_id = {row.id: row for row in places_rows}
    places = Places(places_rows)
    by_key: dict[tuple[str, str], list[_Place]] = defaultdict(list)
    for row in places_rows:
        if row.kind not in kinds:
            continue
        name = name_of(row.nom)
        keys = {name.loose}
        if row.kind == Kind.EPCI:
            keys.update(name.epci)
            keys.update(grouping_keys(row.nom))
        for key in keys:
            by_key[(row.kind, key)].append(row)

    recovered: list[dict[str, str]] = []
    unmatched: list[dict[str, str]] = []
    for line, entry, dep, reg in pending:
        listed = {"ligne": str(line), "siren": entry.siren, "nom": entry.nom, "type": entry.organisation_type}
        kind = TYPE_KINDS[entry.organisation_type]
        area = Area(departements=(dep,)) if dep else Area(regions=(reg,)) if reg else Area()
        if area.everywhere:
            unmatched.append({**listed, "raison": "ni département ni région pour la chercher par son nom"})
            continue
        name = name_of(entry.nom)
        wanted_keys = [name.loose, *name.epci] if kind == Kind.EPCI else [name.loose]
        found: dict[int, _Place] = {}
        for wanted in _RECOVERY_KINDS[kind]:
            for key in wanted_keys:
                for row in by_key.get((wanted, key), []):
                    if places.inside(row, area):
                        # A commune déléguée stands for its commune nouvelle.
                        target = by_id.get(row.parent_id) if row.parent_id else row
                        if target is not None and target.kind in (kind, Kind.COMMUNE):
                            found[target.id] = target
            if found:
                break
        if len(found) != 1:
            reason = (
                f"{len(found)} collectivités de ce nom dans le territoire"
                if found
                else "SIREN inconnu du référentiel et aucune collectivité de ce nom et de ce type dans le territoire"
            )
            unmatched.append({**listed, "raison": reason})
            continue
        target = next(iter(found.values()))
        if target.id in taken:
            unmatched.append(
                {**listed, "raison": f"{target.nom} figure déjà dans la table sous son SIREN actuel"}
            )
            continue
        taken.add(target.id)
        entry.territory_id = target.id
        entry.region_code = target.region_code
        entry.departement_code = target.departement_code or entry.departement_code
        entry.match_method = "nom"
        recovered.append(
            {
                **listed,
                "territoire": f"{target.nom} ({target.kind} {target.code})",
                "siren_actuel": target.siren,
            }
        )
    return recovered, unmatched
