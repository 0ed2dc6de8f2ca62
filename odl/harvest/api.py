"""API of harvest sources, their runs, harvested datasets and the publisher → collectivité mapping.

Public, except the sources an ATD declared and their runs, which only that ATD and the coordinators
see (``HarvestSource.objects.visible_to``); source addresses never carry credentials
(``odl.harvest.secrets``). The mapping is the raw material behind the observatory's figures (who
decided a match is not exposed). Changes go through the web pages and commands.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from odl.core.dbvalues import MAX_DB_INT
from odl.core.pagination import clamp, paginate
from odl.harvest.models import (
    CONFIRMED_STATUSES,
    HarvestedDataset,
    HarvestRun,
    HarvestSource,
    Publisher,
)

router = Router(tags=["Observatoire : moissonnage"])
MAX_PAGE_SIZE = 500


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    technology: str
    url: str
    owner_siren: str | None
    owner_nom: str | None
    schedule: str
    active: bool


class RunOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    trigger: str
    items_seen: int
    items_new: int
    items_updated: int
    items_archived: int
    items_failed: int
    message: str
    # Why this run archived nothing ("" when it could archive what vanished).
    held_back: str
    errors: list[dict[str, str]]


class ScdlCheckOut(Schema):
    """What the platform's validator said about one SCDL resource after the harvest."""

    url: str
    title: str
    schema_id: str
    valid: bool | None
    errors: int | None
    rows: int | None
    reason: str
    checked_at: str


class DatasetOut(Schema):
    id: int
    source_id: int
    remote_id: str
    url: str
    title: str
    publisher: str | None
    collectivite_siren: str | None
    license: str
    schemas: list[str]
    scdl_validation: list[ScdlCheckOut]
    remote_modified: datetime | None
    first_seen: datetime
    last_seen: datetime
    archived_at: datetime | None
    archived_reason: str
    duplicate_of: int | None

    @staticmethod
    def resolve_publisher(d: HarvestedDataset) -> str | None:
        return d.publisher.name if d.publisher else None

    @staticmethod
    def resolve_collectivite_siren(d: HarvestedDataset) -> str | None:
        # Only a confirmed match names the collectivité: a proposal is not an answer yet.
        publisher = d.publisher
        if publisher and publisher.territory and publisher.match_status in CONFIRMED_STATUSES:
            return publisher.territory.siren
        return None

    @staticmethod
    def resolve_scdl_validation(d: HarvestedDataset) -> list[ScdlCheckOut]:
        return [
            ScdlCheckOut(
                url=c.get("url", ""),
                title=c.get("title", ""),
                schema_id=c.get("schema", ""),
                valid=c.get("valid"),
                errors=c.get("errors"),
                rows=c.get("rows"),
                reason=c.get("reason", ""),
                checked_at=c.get("checked_at", ""),
            )
            for c in d.scdl_validation or []
            if isinstance(c, dict)
        ]

    @staticmethod
    def resolve_duplicate_of(d: HarvestedDataset) -> int | None:
        return d.duplicate_of_id


class DatasetPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[DatasetOut]


class PublisherOut(Schema):
    id: int
    source_id: int
    remote_id: str
    name: str
    business_number: str
    match_status: str
    match_method: str
    collectivite_kind: str | None
    collectivite_code: str | None
    collectivite_siren: str | None
    on_behalf_of_siren: str | None

    @staticmethod
    def resolve_collectivite_kind(p: Publisher) -> str | None:
        return p.territory.kind if p.territory else None

    @staticmethod
    def resolve_collectivite_code(p: Publisher) -> str | None:
        return p.territory.code if p.territory else None

    @staticmethod
    def resolve_collectivite_siren(p: Publisher) -> str | None:
        return p.territory.siren if p.territory else None

    @staticmethod
    def resolve_on_behalf_of_siren(p: Publisher) -> str | None:
        return p.on_behalf_of.siren if p.on_behalf_of else None


class PublisherPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PublisherOut]


class DatasetQuery(Schema):
    # Bounded: SQLite cannot even compare with an integer past 64 bits (OverflowError, a 500 before).
    source: int | None = Field(None, ge=0, le=MAX_DB_INT)
    siren: str | None = None
    schema_id: str | None = None
    archived: bool = False
    duplicates: bool = False
    page: int = 1
    page_size: int = 100


class PublisherQuery(Schema):
    source: int | None = Field(None, ge=0, le=MAX_DB_INT)
    status: str | None = None
    page: int = 1
    page_size: int = 100


@router.get("/sources", response=list[SourceOut], summary="Sources de moissonnage déclarées")
def sources(request: HttpRequest) -> list[SourceOut]:
    return [
        SourceOut(
            id=s.pk,
            name=s.name,
            kind=s.kind,
            technology=s.technology,
            url=s.url,
            owner_siren=s.owner.siren if s.owner else None,
            owner_nom=s.owner.nom if s.owner else None,
            schedule=s.schedule,
            active=s.active,
        )
        # An ATD's sources are its own business: only its members and the coordinators see them.
        for s in HarvestSource.objects.visible_to(request.user).select_related("owner")
    ]


@router.get("/sources/{source_id}/passages", response=list[RunOut], summary="Derniers passages d'une source")
def runs(request: HttpRequest, source_id: int) -> list[HarvestRun]:
    source = get_object_or_404(HarvestSource.objects.visible_to(request.user), pk=source_id)
    return list(source.runs.all()[:50])


@router.get("/jeux", response=DatasetPage, summary="Jeux de données moissonnés")
def datasets(request: HttpRequest, filters: Query[DatasetQuery]) -> dict[str, Any]:
    """Current datasets by default; ``archived=true`` adds those that vanished, ``duplicates=true`` the copies."""
    query = HarvestedDataset.objects.select_related("publisher__territory").order_by("pk")
    if not filters.archived:
        query = query.current()
    if not filters.duplicates:
        query = query.filter(duplicate_of__isnull=True)
    if filters.source:
        query = query.filter(source_id=filters.source)
    if filters.siren:
        query = query.filter(publisher__territory__siren=filters.siren)
    if filters.schema_id:
        query = (
            query.filter(schemas__contains=[filters.schema_id])
            if _json_contains()
            else query.filter(schemas__icontains=f'"{filters.schema_id}"')
        )
    return paginate(query, *clamp(filters.page, filters.page_size, MAX_PAGE_SIZE))


def _json_contains() -> bool:
    from django.db import connection

    # JSON containment is a PostgreSQL operator; SQLite gets a textual search on the stored list.
    return connection.vendor == "postgresql"


@router.get("/editeurs", response=PublisherPage, summary="Correspondance éditeurs moissonnés → collectivités")
def publishers(request: HttpRequest, filters: Query[PublisherQuery]) -> dict[str, Any]:
    query = Publisher.objects.select_related("territory", "on_behalf_of").order_by("pk")
    if filters.source:
        query = query.filter(source_id=filters.source)
    if filters.status:
        query = query.filter(match_status=filters.status)
    return paginate(query, *clamp(filters.page, filters.page_size, MAX_PAGE_SIZE))
