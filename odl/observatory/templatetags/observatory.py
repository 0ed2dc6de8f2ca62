"""Template tags of the observatory: a collectivité's publication, French percentages."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import QueryDict

from odl.harvest.models import HarvestedDataset, Publisher, source_kinds
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.territories.models import Territory

register = template.Library()

DATASETS_SHOWN = 50
# The query parameter of the datasets' pages (the collectivité page may page other lists with « page »).
PAGE_PARAMETER = "jeux"


@register.filter
def fr_pct(value: float | None) -> str:
    """11.3 → « 11,3 % » ; None → « — » (no denominator)."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + "\u202f%"


@register.inclusion_tag("observatory/publication.html", takes_context=True)
def publication(context: template.Context, territory: Territory) -> dict[str, Any]:
    """What the collectivité publishes under its own name, what others publish for it, and its history.

    Its datasets are shown ``DATASETS_SHOWN`` at a time (a région can have thousands), paged with
    ``?jeux=N``; the other figures are counts and aggregates, so the page costs the same whatever it has."""
    request = context.get("request")
    params = request.GET if request is not None else QueryDict()
    own = (
        HarvestedDataset.objects.confirmed()
        .filter(publisher__territory=territory)
        .select_related("source", "publisher")
        .order_by("archived_at", "-last_seen", "title")
    )
    current = own.filter(archived_at__isnull=True)
    online = Q(archived_at__isnull=True)
    # One pass for the counts and dates (a région's page reads thousands of rows here).
    span = own.order_by().aggregate(
        total=Count("pk"),
        current=Count("pk", filter=online),
        first=Min("first_seen", filter=online),
        last=Max("last_seen", filter=online),
    )
    schemas: dict[str, int] = {}
    for dataset_schemas in current.order_by().exclude(schemas=[]).values_list("schemas", flat=True):
        for schema_id in dataset_schemas or []:
            schemas[schema_id] = schemas.get(schema_id, 0) + 1
    kind_labels = dict(source_kinds())
    sources = sorted(
        {
            (name, technology or kind_labels.get(kind, kind))
            for name, technology, kind in current.order_by()
            .values_list("source__name", "source__technology", "source__kind")
            .distinct()
        }
    )
    datasets_total = span["current"]
    # The page is chosen on ids alone (sorting 3,000 narrow rows, not whole ones), then its rows are read.
    paginator = Paginator(own.values_list("pk", flat=True), DATASETS_SHOWN)
    paginator.count = span["total"]  # already counted above
    page = paginator.get_page(params.get(PAGE_PARAMETER))
    page_ids = list(page.object_list)
    rows = {
        d.pk: d
        for d in HarvestedDataset.objects.filter(pk__in=page_ids).select_related("source", "publisher")
    }
    datasets = [rows[pk] for pk in page_ids if pk in rows]
    archived_total = span["total"] - datasets_total
    others = params.copy()
    others.pop(PAGE_PARAMETER, None)
    # The few publishers first: as one query SQLite walks every dataset without a duplicate instead.
    proxies = list(
        Publisher.objects.filter(on_behalf_of=territory)
        .exclude(territory=territory)
        .values_list("pk", flat=True)
    )
    for_it = (
        HarvestedDataset.objects.filter(
            publisher__in=proxies, archived_at__isnull=True, duplicate_of__isnull=True
        )
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
        "datasets": datasets,
        "page": page,
        "page_parameter": PAGE_PARAMETER,
        "page_query": others.urlencode(),
        "datasets_total": datasets_total,
        "archived_total": archived_total,
        "first_seen": span["first"],
        "last_seen": span["last"],
        "schemas": sorted(schemas.items()),
        "sources": sources,
        "published_for": list(for_it),
        "timeline": timeline,
        "is_open": datasets_total > 0,
    }
