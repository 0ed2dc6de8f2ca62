"""Template tags of the observatory: a collectivité's publication, French percentages."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Max, Min

from odl.harvest.models import HarvestedDataset
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.territories.models import Territory

register = template.Library()

DATASETS_SHOWN = 50


@register.filter
def fr_pct(value: float | None) -> str:
    """11.3 → « 11,3 % » ; None → « — » (no denominator)."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + "\u202f%"


@register.inclusion_tag("observatory/publication.html")
def publication(territory: Territory) -> dict[str, Any]:
    """What the collectivité publishes under its own name, what others publish for it, and its history."""
    own = (
        HarvestedDataset.objects.confirmed()
        .filter(publisher__territory=territory)
        .select_related("source", "publisher")
        .order_by("archived_at", "-last_seen", "title")
    )
    current = own.filter(archived_at__isnull=True)
    span = current.aggregate(first=Min("first_seen"), last=Max("last_seen"))
    schemas: dict[str, int] = {}
    for dataset_schemas in current.values_list("schemas", flat=True):
        for schema_id in dataset_schemas or []:
            schemas[schema_id] = schemas.get(schema_id, 0) + 1
    sources = sorted({(d.source.name, d.source.technology or d.source.get_kind_display()) for d in current})
    for_it = (
        HarvestedDataset.objects.filter(
            publisher__on_behalf_of=territory, archived_at__isnull=True, duplicate_of__isnull=True
        )
        .exclude(publisher__territory=territory)
        .select_related("publisher", "publisher__territory")
        .order_by("title")[:DATASETS_SHOWN]
    )
    timeline: list[dict[str, Any]] = [
        {"snapshot": entry.snapshot, "entry": entry}
        for entry in SnapshotEntry.objects.filter(territory=territory)
        .select_related("snapshot")
        .order_by("snapshot__date", "snapshot__created_at")
    ]
    seen = {row["snapshot"].pk for row in timeline}
    # Snapshots where it does not appear say "absent" (not open), so a loss reads as a loss.
    for snapshot in Snapshot.objects.exclude(pk__in=seen):
        timeline.append({"snapshot": snapshot, "entry": None})
    timeline.sort(key=lambda row: (row["snapshot"].date, row["snapshot"].created_at))
    latest = timeline[-1] if timeline else None
    return {
        "territory": territory,
        "latest": latest,
        "datasets": list(own[:DATASETS_SHOWN]),
        "datasets_total": current.count(),
        "archived_total": own.count() - current.count(),
        "first_seen": span["first"],
        "last_seen": span["last"],
        "schemas": sorted(schemas.items()),
        "sources": sources,
        "published_for": list(for_it),
        "timeline": timeline,
        "is_open": current.exists(),
    }
