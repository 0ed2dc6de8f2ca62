"""A small data.gouv.fr on loopback: the udata API v1 endpoints the push uses, with udata's envelopes.

Shapes follow udata's marshalling (``udata/core/dataset/api_fields.py``, ``organization/api_fields.py``):
a dataset has ``id``, ``slug``, ``page``, ``organization`` (a reference), ``license`` (its id),
``frequency``, ``tags``, ``extras``, ``resources``; a resource has ``id`` (a UUID), ``title``,
``filetype``, ``type``, ``format``, ``url``, ``checksum`` ``{type, value}`` (sha1), ``filesize``,
``mime``, ``schema``, ``extras``; lists are pages ``{data, page, page_size, total, next_page,
previous_page}``; errors are ``{"message": …}`` (plus ``errors`` for a form). State lives in memory;
``faults`` queues answers to serve before the normal one (status, headers, body, delay).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

VALID_KEY = "cle-valide-0123456789abcdef"
SITE = "https://www.data.gouv.fr"


@dataclass
class Fault:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # Do the real work before answering the fault: "created, but the answer was lost".
    after_work: bool = False


@dataclass
class Udata:
    base: str = ""
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[tuple[str, str], list[Fault]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    member_of: set[str] = field(default_factory=set)
    # Whether ?q= matches business_number_id (a text index may leave it out).
    search_business_numbers: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    def organization(self, name: str, siret: str, slug: str = "") -> dict[str, Any]:
        org_id = uuid.uuid4().hex[:24]
        org = {
            "id": org_id,
            "name": name,
            "acronym": None,
            "slug": slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
            "description": f"Organisation {name}",
            "business_number_id": siret,
            "url": None,
            "created_at": "2019-03-01T10:00:00+00:00",
            "last_modified": "2024-06-01T10:00:00+00:00",
            "deleted": None,
            "metrics": {"datasets": 0, "followers": 0, "members": 1, "reuses": 0, "views": 0},
            "badges": [{"kind": "public-service"}],
            "logo": None,
            "logo_thumbnail": None,
            "extras": {},
        }
        org["page"] = f"{SITE}/fr/organizations/{org['slug']}/"
        org["uri"] = f"{self.base}/api/1/organizations/{org_id}/"
        self.organizations[org_id] = org
        self.member_of.add(org_id)
        return org

    def fail(self, method: str, path: str, *faults: Fault) -> None:
        self.faults.setdefault((method, path), []).extend(faults)

    def calls(self, method: str, prefix: str = "") -> list[str]:
        return [p for m, p, _h in self.requests if m == method and p.startswith(prefix)]

    # --- Envelopes ---

    def org_ref(self, org_id: str) -> dict[str, Any]:
        org = self.organizations[org_id]
        keys = ("id", "name", "acronym", "slug", "page", "uri", "logo", "logo_thumbnail", "badges")
        return {k: org[k] for k in keys}

    def page(self, items: list[dict[str, Any]], query: dict[str, list[str]], path: str) -> dict[str, Any]:
        page = int(query.get("page", ["1"])[0])
        size = int(query.get("page_size", ["20"])[0])
        chunk = items[(page - 1) * size : page * size]
        more = page * size < len(items)
        return {
            "data": chunk,
            "page": page,
            "page_size": size,
            "total": len(items),
            "next_page": f"{self.base}{path}?page={page + 1}&page_size={size}" if more else None,
            "previous_page": f"{self.base}{path}?page={page - 1}&page_size={size}" if page > 1 else None,
        }


def _error(status: int, message: str, **more: Any) -> tuple[int, dict[str, str], Any]:
    return status, {}, {"message": message, **more}


def handle(
    state: Udata, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], Any]:  # noqa: E501
    authed = headers.get("x-api-key") == VALID_KEY
    now = "2026-12-01T15:00:00+00:00"
    if method == "GET" and path == "/api/1/organizations/":
        q = query.get("q", [""])[0].lower()
        found = [
            o
            for o in state.organizations.values()
            if q in o["name"].lower()
            or (state.search_business_numbers and q in (o["business_number_id"] or ""))
        ]
        return 200, {}, state.page(found, query, path)
    match = re.fullmatch(r"/api/1/organizations/([^/]+)/", path)
    if method == "GET" and match:
        org = state.organizations.get(match[1])
        return (200, {}, org) if org else _error(404, "Organization not found")
    if path == "/api/1/me/" and method == "GET":
        if not authed:
            return _error(401, "Invalid API Key")
        orgs = [state.org_ref(o) for o in state.member_of if o in state.organizations]
        return 200, {}, {"id": "u1", "first_name": "Agnès", "last_name": "Martin", "organizations": orgs}
    if method in ("POST", "PUT") and not authed:
        return _error(401, "Invalid API Key")
    match = re.fullmatch(r"/api/1/organizations/([^/]+)/datasets/", path)
    if method == "GET" and match:
        owned = [
            d for d in state.datasets.values() if d["organization"]["id"] == match[1] and not d["deleted"]
        ]
        return 200, {}, state.page(owned, query, path)
    if method == "POST" and path == "/api/1/datasets/":
        payload = json.loads(body)
        org_id = payload.get("organization")
        if org_id not in state.organizations:
            return _error(400, "Validation error", errors={"organization": ["Organisation inconnue"]})
        if org_id not in state.member_of:
            return _error(403, "You do not have the permission to modify that object.")
        dataset_id = uuid.uuid4().hex[:24]
        slug = re.sub(r"[^a-z0-9]+", "-", payload["title"].lower()).strip("-")
        dataset = {
            "id": dataset_id,
            "title": payload["title"],
            "acronym": None,
            "slug": slug,
            "description": payload.get("description", ""),
            "created_at": now,
            "last_modified": now,
            "last_update": now,
            "deleted": None,
            "archived": None,
            "private": False,
            "tags": payload.get("tags", []),
            "badges": [],
            "resources": [],
            "frequency": payload.get("frequency", "unknown"),
            "frequency_date": None,
            "extras": payload.get("extras", {}),
            "metrics": {"discussions": 0, "followers": 0, "reuses": 0, "views": 0},
            "organization": state.org_ref(org_id),
            "owner": None,
            "temporal_coverage": None,
            "spatial": None,
            "license": payload.get("license", "notspecified"),
            "uri": f"{state.base}/api/1/datasets/{dataset_id}/",
            "page": f"{SITE}/fr/datasets/{slug}/",
            "quality": {"score": 0.5},
        }
        state.datasets[dataset_id] = dataset
        return 201, {}, dataset
    match = re.fullmatch(r"/api/1/datasets/([^/]+)/", path)
    if match:
        dataset = state.datasets.get(match[1])
        if dataset is None:
            return _error(404, "Dataset not found")
        if method == "GET":
            return 200, {}, dataset
        if method == "PUT":
            payload = json.loads(body)
            for key in ("title", "description", "license", "frequency", "tags", "extras"):
                if key in payload:
                    dataset[key] = payload[key]
            dataset["last_modified"] = now
            return 200, {}, dataset
    match = re.fullmatch(r"/api/1/datasets/([^/]+)/upload/", path)
    if method == "POST" and match:
        dataset = state.datasets.get(match[1])
        if dataset is None:
            return _error(404, "Dataset not found")
        filename, content = _multipart_file(headers, body)
        resource = _resource(state, dataset, filename, content, now)
        dataset["resources"].append(resource)
        return 201, {}, {**resource, "success": True}
    match = re.fullmatch(r"/api/1/datasets/([^/]+)/resources/([^/]+)/(upload/)?", path)
    if method in ("POST", "PUT") and match:
        dataset = state.datasets.get(match[1])
        if dataset is None:
            return _error(404, "Dataset not found")
        resource = next((r for r in dataset["resources"] if r["id"] == match[2]), None)
        if resource is None:
            return _error(404, "Resource does not exist")
        if match[3]:
            filename, content = _multipart_file(headers, body)
            resource.update(_resource(state, dataset, filename, content, now, resource["id"]))
            return 200, {}, {**resource, "success": True}
        payload = json.loads(body)
        for key in ("title", "description", "format", "type", "extras", "schema"):
            if key in payload:
                resource[key] = payload[key]
        return 200, {}, resource
    return _error(404, "The requested URL was not found on the server.")


def _multipart_file(headers: dict[str, str], body: bytes) -> tuple[str, bytes]:
    raw = f"Content-Type: {headers['content-type']}\r\n\r\n".encode() + body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return str(part.get_filename()), bytes(part.get_payload(decode=True))
    raise ValueError("no file part")


def _resource(
    state: Udata, dataset: dict[str, Any], filename: str, content: bytes, now: str, rid: str = ""
) -> dict[str, Any]:
    rid = rid or str(uuid.uuid4())
    return {
        "id": rid,
        "title": filename,
        "description": None,
        "filetype": "file",
        "type": "main",
        "format": filename.rsplit(".", 1)[-1],
        "url": f"https://static.data.gouv.fr/resources/{dataset['slug']}/20261201-150000/{filename}",
        "latest": f"{SITE}/fr/datasets/r/{rid}",
        "checksum": {"type": "sha1", "value": hashlib.sha1(content).hexdigest()},
        "filesize": len(content),
        "mime": "text/csv",
        "created_at": now,
        "last_modified": now,
        "metrics": {"views": 0},
        "extras": {},
        "preview_url": None,
        "schema": None,
        "internal": {"created_at_internal": now, "last_modified_internal": now},
    }


def serve(state: Udata) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                state.requests.append((self.command, parts.path, headers))
                queued = state.faults.get((self.command, parts.path))
                fault = queued.pop(0) if queued else None
                if fault is None or fault.after_work:
                    status, extra, payload = handle(
                        state, self.command, parts.path, parse_qs(parts.query), headers, body
                    )
            if fault is not None:
                time.sleep(fault.delay)
                status, extra, payload = fault.status, fault.headers, fault.body
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = _any  # noqa: N815 (http.server's naming)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    return server
