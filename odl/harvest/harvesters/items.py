"""What a harvester yields: items (one dataset each), the publisher they name, and pages of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class PublisherRef:
    remote_id: str
    name: str
    business_number: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class HarvestedItem:
    """One dataset as a source describes it, already cleaned of what cannot be trusted."""

    remote_id: str
    title: str
    url: str = ""
    description: str = ""
    publisher: PublisherRef | None = None
    license: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    tags: list[str] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    declared_schemas: list[str] = field(default_factory=list)
    # Identity of the original when this record is a copy harvested from elsewhere (data.gouv.fr
    # harvest block): the same key the original's own source yields, so the two count once.
    origin_key: str = ""
    own_key: str = ""


@dataclass
class Page:
    items: list[HarvestedItem]
    failures: list[dict[str, str]] = field(default_factory=list)
    total: int | None = None
    # Records the source sent on this page, published or not: what its announced total counts.
    records: int = 0
