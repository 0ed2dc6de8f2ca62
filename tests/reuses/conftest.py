"""A loopback server replaying data.gouv.fr's reuses endpoint, and a harvested world around Rennes."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from odl.harvest.models import HarvestedDataset, HarvestSource, MatchStatus, Publisher
from odl.territories.models import Territory
from tests.loopback import serving

Reply = tuple[int, str, bytes]


@dataclass
class Server:
    base: str = ""
    # path -> handler(query) -> (status, content type, body)
    routes: dict[str, Callable[[dict[str, list[str]]], Reply]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()

    def answer(raw: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        state.hits.append(raw)
        route = state.routes.get(urlsplit(raw).path)
        status, kind, body = route(query) if route else (404, "text/plain", b"not found")
        return status, {"Content-Type": kind}, body

    with serving(answer) as base:
        state.base = base
        yield state


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.ODL_HARVEST_BACKOFF = 0.01
    settings.ODL_HARVEST_TIMEOUT = 5.0
    settings.ODL_HARVEST_RETRIES = 1


def png(width: int = 8, height: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def reuse_payload(base: str, remote_id: str, **fields: Any) -> dict[str, Any]:
    """One reuse as udata's API v1 lists it (``/api/1/reuses/``), with its organisation and datasets."""
    payload: dict[str, Any] = {
        "id": remote_id,
        "title": f"Réutilisation {remote_id}",
        "slug": f"reutilisation-{remote_id}",
        "description": "Une carte des équipements.",
        "type": "visualization",
        "topic": "transport_and_mobility",
        "url": f"https://exemple.org/{remote_id}",
        "image": None,
        "image_thumbnail": None,
        "created_at": "2025-03-04T10:00:00.000000+00:00",
        "last_modified": "2025-03-05T10:00:00.000000+00:00",
        "deleted": None,
        "archived": None,
        "private": False,
        "featured": False,
        "tags": ["mobilite"],
        "badges": [],
        "datasets": [],
        "organization": {
            "class": "Organization",
            "id": "org-rennes",
            "name": "Ville de Rennes",
            "slug": "ville-de-rennes",
            "page": "https://www.data.gouv.fr/fr/organizations/ville-de-rennes/",
            "uri": "https://www.data.gouv.fr/api/1/organizations/ville-de-rennes/",
            "logo": None,
            "logo_thumbnail": None,
            "badges": [],
            "acronym": None,
        },
        "owner": None,
        "metrics": {"datasets": 1, "discussions": 0, "followers": 0, "views": 12},
        "page": f"https://www.data.gouv.fr/fr/reuses/reutilisation-{remote_id}/",
        "uri": f"https://www.data.gouv.fr/api/1/reuses/{remote_id}/",
        "extras": {},
    }
    payload.update(fields)
    return payload


def dataset_ref(remote_id: str) -> dict[str, Any]:
    return {
        "class": "Dataset",
        "id": remote_id,
        "title": f"Jeu {remote_id}",
        "acronym": None,
        "page": f"https://www.data.gouv.fr/fr/datasets/{remote_id}/",
        "uri": f"https://www.data.gouv.fr/api/1/datasets/{remote_id}/",
    }


def envelope(items: list[dict[str, Any]], page: int, total: int, next_page: str | None) -> bytes:
    return json.dumps(
        {
            "data": items,
            "page": page,
            "page_size": 100,
            "total": total,
            "next_page": next_page,
            "previous_page": None,
        }
    ).encode()


@dataclass
class World:
    source: HarvestSource
    publisher: Publisher
    dataset: HarvestedDataset
    other: HarvestedDataset
    rennes: Territory


@pytest.fixture
def world(small_referentiel: Any, server: Server) -> World:
    rennes = Territory.objects.get(kind="commune", code="35238")
    source = HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=server.base)
    publisher = Publisher.objects.create(
        source=source,
        remote_id="org-rennes",
        name="Ville de Rennes",
        territory=rennes,
        match_status=MatchStatus.AUTO,
    )
    dataset = HarvestedDataset.objects.create(
        source=source, remote_id="ds-velos", title="Stations vélo", publisher=publisher
    )
    other = HarvestedDataset.objects.create(
        source=source, remote_id="ds-arbres", title="Arbres", publisher=publisher
    )
    return World(source, publisher, dataset, other, rennes)
