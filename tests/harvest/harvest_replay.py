"""The replay server's state and the envelopes of each API, shared by the harvest tests.

The payloads come from ../shared/data/harvest (through the ``shared_data`` fixture); the server wraps
them in the paged envelopes the real APIs use, so the real httpx clients run over real HTTP.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[[str, dict[str, list[str]]], Reply]


@dataclass
class Replay:
    """Routes by path; each route answers (status, headers, body). Counts the hits per path."""

    routes: dict[str, Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    base: str = ""

    def json(self, path: str, payload: Any, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        self.routes[path] = lambda _p, _q: (status, {"Content-Type": "application/json"}, body)

    def raw(
        self, path: str, body: bytes, content_type: str = "application/octet-stream", status: int = 200
    ) -> None:
        self.routes[path] = lambda _p, _q: (status, {"Content-Type": content_type}, body)

    def handler(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def url(self, path: str = "") -> str:
        return self.base + path


def slow(seconds: float, reply: Reply) -> Handler:
    def handle(_path: str, _query: dict[str, list[str]]) -> Reply:
        time.sleep(seconds)
        return reply

    return handle


def load(harvest_data: Path, relative: str) -> Any:
    return json.loads((harvest_data / relative).read_text(encoding="utf-8"))


def paged_datagouv(replay: Replay, datasets: list[dict[str, Any]], page_size: int = 5) -> None:
    """Serve datasets as /api/1/datasets/ does: {data, page, page_size, total, next_page}."""

    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        page = int(query.get("page", ["1"])[0])
        selected = datasets
        if "organization" in query:
            selected = [
                d for d in datasets if (d.get("organization") or {}).get("id") == query["organization"][0]
            ]
        chunk = selected[(page - 1) * page_size : page * page_size]
        more = page * page_size < len(selected)
        body = {
            "data": chunk,
            "page": page,
            "page_size": page_size,
            "total": len(selected),
            "next_page": replay.url(f"/api/1/datasets/?page={page + 1}&page_size={page_size}")
            if more
            else None,
            "previous_page": None,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/1/datasets/", handle)


def serve_udata_fixtures(replay: Replay, harvest_data: Path, page_size: int = 5) -> list[dict[str, Any]]:
    """The 15 real data.gouv.fr bundles as a paged dataset list plus one organisation page each."""
    bundles = load(harvest_data, "datagouv/udata-fixtures-results.json")["datasets"]
    datasets = []
    for bundle in bundles:
        dataset = dict(bundle["dataset"])
        org = bundle["organization"]
        dataset["resources"] = bundle["resources"]
        dataset["organization"] = {k: org[k] for k in ("id", "name", "slug") if k in org}
        dataset["page"] = f"https://www.data.gouv.fr/fr/datasets/{dataset['slug']}/"
        datasets.append(dataset)
        replay.json(f"/api/1/organizations/{org['id']}/", org)
    paged_datagouv(replay, datasets, page_size)
    return datasets


def paged_ckan(replay: Replay, packages: list[dict[str, Any]]) -> None:
    """Serve packages as CKAN's package_search does: {success, result: {count, results}} with start/rows."""

    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        start = int(query.get("start", ["0"])[0])
        rows = int(query.get("rows", ["10"])[0])
        body = {
            "help": "",
            "success": True,
            "result": {"count": len(packages), "results": packages[start : start + rows]},
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/3/action/package_search", handle)


def paged_ods(replay: Replay, results: list[dict[str, Any]]) -> None:
    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["10"])[0])
        body = {"total_count": len(results), "results": results[offset : offset + limit]}
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()

    replay.handler("/api/explore/v2.1/catalog/datasets", handle)
