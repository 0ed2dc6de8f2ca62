"""A small harvested population over the small référentiel, created directly with the ORM."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
from odl.territories.models import Territory


@pytest.fixture(autouse=True)
def _static_root_exists() -> None:
    # WhiteNoise warns (an error here) when STATIC_ROOT is missing, i.e. before any collectstatic.
    from pathlib import Path

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _private_data_dir(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Caches and synced contours go under DATA_DIR: each test gets its own, never the developer's var/.
    settings.DATA_DIR = tmp_path_factory.mktemp("data")


@dataclass
class Harvested:
    datagouv: HarvestSource
    ods: HarvestSource
    publishers: dict[str, Publisher]
    datasets: dict[str, HarvestedDataset]

    def territory(self, kind: str, code: str) -> Territory:
        return Territory.objects.get(kind=kind, code=code)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def make_dataset(
    source: HarvestSource, publisher: Publisher | None, remote_id: str, **fields: Any
) -> HarvestedDataset:
    dataset = HarvestedDataset.objects.create(
        source=source,
        publisher=publisher,
        remote_id=remote_id,
        title=fields.pop("title", f"Jeu {remote_id}"),
        url=f"https://example.org/{remote_id}",
        **{k: v for k, v in fields.items() if k not in ("first_seen", "last_seen")},
    )
    # first_seen/last_seen are set on creation; a harvest history needs them in the past.
    HarvestedDataset.objects.filter(pk=dataset.pk).update(
        first_seen=fields.get("first_seen", days_ago(30)), last_seen=fields.get("last_seen", days_ago(1))
    )
    dataset.refresh_from_db()
    return dataset


@pytest.fixture
def harvested(small_referentiel: Any) -> Harvested:
    """Rennes and Rennes Métropole publish; Pacé is published for; Betton's only dataset is archived.

    - Rennes (commune, 227 830 hab.): two datasets on data.gouv.fr, one under scdl/subventions.
    - Rennes Métropole: the same dataset on its Opendatasoft portal and on data.gouv.fr (a duplicate),
      plus one dataset "pour le compte de" Pacé.
    - Bruz: a publisher still waiting for review (not counted).
    - Betton: one dataset, archived (vanished at the source) 10 days ago.
    """
    t = {
        code: Territory.objects.get(code=code, kind__in=["commune", "epci"])
        for code in ("35238", "243500139", "35047", "35206", "35024", "22278")
    }
    datagouv = HarvestSource.objects.create(
        name="data.gouv.fr", kind="datagouv", url="https://www.data.gouv.fr", technology="data.gouv.fr"
    )
    ods = HarvestSource.objects.create(
        name="Data Rennes Métropole",
        kind="opendatasoft",
        url="https://data.rennesmetropole.fr",
        technology="Opendatasoft",
    )
    pubs = {
        "rennes": Publisher.objects.create(
            source=datagouv,
            remote_id="ville-rennes",
            name="Ville de Rennes",
            territory=t["35238"],
            match_status="auto",
            match_method="siren",
        ),
        "metropole_ods": Publisher.objects.create(
            source=ods,
            remote_id="rm",
            name="Rennes Métropole",
            territory=t["243500139"],
            match_status="accepted",
            match_method="name",
        ),
        "metropole_dg": Publisher.objects.create(
            source=datagouv,
            remote_id="rm-dg",
            name="Rennes Métropole",
            territory=t["243500139"],
            match_status="auto",
        ),
        "pour_pace": Publisher.objects.create(
            source=ods,
            remote_id="rm-pace",
            name="Rennes Métropole pour Pacé",
            territory=t["243500139"],
            on_behalf_of=t["35206"],
            match_status="accepted",
        ),
        "bruz": Publisher.objects.create(
            source=datagouv,
            remote_id="bruz",
            name="Mairie de Bruz",
            territory=t["35047"],
            match_status="pending",
        ),
        "betton": Publisher.objects.create(
            source=datagouv,
            remote_id="betton",
            name="Commune de Betton",
            territory=t["35024"],
            match_status="auto",
        ),
    }
    original = make_dataset(ods, pubs["metropole_ods"], "rm-1", title="Équipements")
    datasets = {
        "rennes_subventions": make_dataset(
            datagouv,
            pubs["rennes"],
            "r-1",
            title="Subventions 2024",
            schemas=["scdl/subventions"],
            first_seen=days_ago(40),
        ),
        "rennes_budget": make_dataset(datagouv, pubs["rennes"], "r-2", title="Budget"),
        "metropole": original,
        "metropole_copy": make_dataset(
            datagouv, pubs["metropole_dg"], "rm-1-dg", title="Équipements", duplicate_of=original
        ),
        "pace": make_dataset(
            ods, pubs["pour_pace"], "rm-pace-1", title="Délibérations de Pacé", schemas=["scdl/deliberations"]
        ),
        "bruz": make_dataset(datagouv, pubs["bruz"], "b-1"),
        "betton": make_dataset(
            datagouv, pubs["betton"], "bt-1", archived_at=days_ago(10), first_seen=days_ago(60)
        ),
    }
    return Harvested(datagouv, ods, pubs, datasets)


def _square(x: float, y: float) -> dict[str, object]:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y + 0.05], [x, y]]],
    }


# Hand-written stand-ins for Etalab's files: same shape (FeatureCollection, properties code/nom).
COMMUNES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "35238", "nom": "Rennes"},
            "geometry": _square(-1.7, 48.08),
        },
        {
            "type": "Feature",
            "properties": {"code": "35047", "nom": "Bruz"},
            "geometry": _square(-1.75, 48.02),
        },
        {
            "type": "Feature",
            "properties": {"code": "22278", "nom": "Saint-Brieuc"},
            "geometry": _square(-2.76, 48.5),
        },
        {"type": "Feature", "properties": {"code": "99999", "nom": "Inconnue"}, "geometry": _square(0, 0)},
    ],
}
EPCI = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "243500139", "nom": "Rennes Métropole"},
            "geometry": _square(-1.8, 48.0),
        }
    ],
}


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        status, body = self.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def contours_server() -> Iterator[tuple[str, dict[str, tuple[int, bytes]]]]:
    routes = {
        "/contours/communes-1000m.geojson.gz": (200, gzip.compress(json.dumps(COMMUNES).encode())),
        "/contours/epci-1000m.geojson.gz": (200, json.dumps(EPCI).encode()),
        "/broken/communes-1000m.geojson.gz": (200, b"<html>maintenance</html>"),
        "/down/communes-1000m.geojson.gz": (503, b"busy"),
    }
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()
