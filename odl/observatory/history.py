"""Snapshots of who publishes, computed from the harvested datasets.

The after-harvest pipeline (:mod:`odl.observatory.pipeline`) calls :func:`take_snapshot`; ``odl snapshot`` takes one by hand. A
snapshot freezes, for each collectivité, whether it publishes under its own name, how many datasets
(duplicates across platforms counted once), on which platforms and technologies, and which SCDL
schemas. A collectivité that stops publishing is not erased: it is absent from the next snapshot,
and the indicators count it as lost.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from odl.harvest.models import HarvestedDataset, source_kinds
from odl.harvest.scdl_checks import stored_verdict
from odl.observatory.models import Snapshot, SnapshotEntry, SnapshotOrigin
from odl.observatory.signals import snapshot_taken
from odl.territories.models import Kind, Territory

# The ODF organisation types, so that platform snapshots and ODF editions read the same.
EPCI_NATURE_TYPES = {"CC": "CC", "CA": "CA", "CU": "CU", "METRO": "MET", "MET69": "MET", "EPT": "EPT"}
KIND_TYPES: dict[str, str] = {
    Kind.COMMUNE: "COM",
    Kind.DEPARTEMENT: "DEP",
    Kind.REGION: "REG",
    Kind.EPT: "EPT",
}

METHOD = (
    "Calcul de la plateforme à partir des jeux moissonnés le {date} : une collectivité est ouverte quand "
    "au moins un jeu non archivé est publié sous son propre nom (éditeur rapproché de son SIREN, "
    "automatiquement ou après revue). Les doublons entre plateformes (même jeu moissonné par deux "
    "chemins) sont comptés une fois. Les jeux publiés « pour le compte de » une autre collectivité "
    "sont notés mais ne la rendent pas ouverte."
)


def entry_key(kind: str, code: str, siren: str) -> str:
    """The SIREN; the référentiel has none for départements and régions, so ``DEP-35``, ``REG-53``."""
    if siren:
        return siren
    return f"{KIND_TYPES.get(kind, kind[:3].upper())}-{code}"[:9]


def organisation_type(kind: str, nature: str) -> str:
    if kind == Kind.EPCI:
        return EPCI_NATURE_TYPES.get(nature, "EPCI")
    return KIND_TYPES.get(kind, kind[:10])


@dataclass
class _Publication:
    datasets: int = 0
    platforms: set[str] = field(default_factory=set)
    technologies: set[str] = field(default_factory=set)
    schemas: set[str] = field(default_factory=set)
    scdl_resources: int = 0
    scdl_valid: int = 0
    scdl_checked: int = 0
    on_behalf_of: set[int] = field(default_factory=set)
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None


def counted_datasets(day: dt.date | None = None) -> Any:
    """The datasets that count for their publisher's collectivité, as they stood at the end of ``day``."""
    if day is None:
        return HarvestedDataset.objects.counted()
    qs = HarvestedDataset.objects.confirmed()
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return qs.filter(first_seen__lt=end).filter(Q(archived_at__isnull=True) | Q(archived_at__gte=end))


def take_snapshot(date: dt.date | None = None) -> Snapshot:
    """Compute and store the snapshot of ``date`` (today by default); one platform snapshot per day."""
    today = timezone.localdate()
    day = date or today
    publications: dict[int, _Publication] = defaultdict(_Publication)
    behalf: dict[int, set[int]] = defaultdict(set)
    rows = counted_datasets(None if day >= today else day).values_list(
        "publisher__territory_id",
        "publisher__on_behalf_of_id",
        "source__name",
        "source__technology",
        "source__kind",
        "schemas",
        "resources",
        "first_seen",
        "last_seen",
        "scdl_validation",
    )
    kind_labels = dict(source_kinds())
    for (
        territory_id,
        behalf_id,
        source,
        technology,
        kind,
        schemas,
        resources,
        first,
        last,
        scdl_validation,
    ) in rows:
        pub = publications[territory_id]
        pub.datasets += 1
        pub.platforms.add(source)
        # A source without a technology label is named after its kind ("CKAN", "Opendatasoft"…).
        pub.technologies.add(technology or kind_labels.get(kind, kind))
        if behalf_id and behalf_id != territory_id:
            pub.on_behalf_of.add(behalf_id)
            behalf[behalf_id].add(territory_id)
        for schema_id in schemas or []:
            pub.schemas.add(schema_id)
            pub.scdl_resources += 1
            # The share is one of resources, as the post-harvest checks stored them; never guessed here.
            for resource in resources or [None]:
                verdict = stored_verdict(scdl_validation, resource, schema_id)
                if verdict is not None:
                    pub.scdl_checked += 1
                    pub.scdl_valid += int(verdict)
        pub.first_seen = first if pub.first_seen is None or first < pub.first_seen else pub.first_seen
        pub.last_seen = last if pub.last_seen is None or last > pub.last_seen else pub.last_seen
    ids = set(publications) | set(behalf)
    territories = {
        t["id"]: t
        for t in Territory.objects.filter(id__in=ids).values(
            "id", "kind", "code", "siren", "nom", "nature", "region_code", "departement_code", "population"
        )
    }
    entries: list[SnapshotEntry] = []
    for territory_id in sorted(ids):
        t = territories[territory_id]
        pub = publications.get(territory_id, _Publication())
        entries.append(
            SnapshotEntry(
                territory_id=territory_id,
                siren=entry_key(t["kind"], t["code"], t["siren"]),
                nom=t["nom"],
                organisation_type=organisation_type(t["kind"], t["nature"]),
                is_open=pub.datasets > 0,
                datasets_count=pub.datasets,
                platforms=sorted(pub.platforms),
                technologies=sorted(pub.technologies),
                schemas=sorted(pub.schemas),
                region_code=t["region_code"],
                departement_code=t["departement_code"],
                population=t["population"],
                match_method="territoire",
                scdl_resources=pub.scdl_resources,
                scdl_valid=pub.scdl_valid if pub.scdl_checked else None,
                scdl_checked=pub.scdl_checked or None,
                on_behalf_of=sorted(
                    entry_key(territories[o]["kind"], territories[o]["code"], territories[o]["siren"])
                    for o in pub.on_behalf_of
                ),
                first_seen=pub.first_seen,
                last_seen=pub.last_seen,
                raw={"published_for_by": sorted(territories[p]["nom"] for p in behalf.get(territory_id, ()))},
            )
        )
    with transaction.atomic():
        Snapshot.objects.filter(origin=SnapshotOrigin.HARVEST, date=day).delete()
        # The demonstration's fictitious snapshots never stand beside real measures.
        Snapshot.objects.filter(origin=SnapshotOrigin.DEMO).delete()
        snapshot = Snapshot.objects.create(
            date=day,
            label=f"Moissonnage de la plateforme du {day:%d/%m/%Y}",
            origin=SnapshotOrigin.HARVEST,
            method=METHOD.format(date=f"{day:%d/%m/%Y}"),
            source_name="jeux moissonnés (toutes sources actives)",
        )
        for entry in entries:
            entry.snapshot = snapshot
        SnapshotEntry.objects.bulk_create(entries, batch_size=1000)
        snapshot.report = {
            "open": sum(1 for e in entries if e.is_open),
            "published_for_only": sum(1 for e in entries if not e.is_open),
            "datasets": sum(e.datasets_count for e in entries),
            "validator": True,
        }
        snapshot.save(update_fields=["report"])
    warm_caches(snapshot)
    snapshot_taken.send(sender=Snapshot, snapshot=snapshot)
    return snapshot


def warm_caches(snapshot: Snapshot) -> None:
    """Compute the map's figures now, so that the first visitor after a harvest does not wait."""
    from odl.observatory.indicators import map_figures
    from odl.territories.targeting import build_criteria

    map_figures(snapshot, build_criteria(check_codes=False).rule)


def snapshot_at(day: dt.date | None = None) -> Snapshot | None:
    """The latest snapshot taken on or before ``day`` (the latest of all by default)."""
    qs = Snapshot.objects.all()
    if day is not None:
        qs = qs.filter(date__lte=day)
    return qs.order_by("-date", "-created_at").first()


def previous_snapshot(snapshot: Snapshot) -> Snapshot | None:
    return (
        Snapshot.objects.filter(
            Q(date__lt=snapshot.date) | Q(date=snapshot.date, created_at__lt=snapshot.created_at)
        )
        .exclude(pk=snapshot.pk)
        .order_by("-date", "-created_at")
        .first()
    )
