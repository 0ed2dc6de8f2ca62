"""Which schemas each door accepts: the web page and the API only the platform's own, by name; the
command line also paths and URLs, fetched through the guard against internal addresses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from odl.core.programs import Output, UsageError
from odl.schemas import catalogue, registry
from odl.schemas.commandline import Schemas
from odl.schemas.models import ValidationRun
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv
from tests.schemas.test_cli import validate_cli

SCHEMA = {"fields": [{"name": "nomAttribuant", "type": "string", "constraints": {"maxLength": 5}}]}


class Site:
    def __init__(self, base: str) -> None:
        self.base = base
        self.requests: list[str] = []


@pytest.fixture
def site() -> Iterator[Site]:
    """A loopback server that serves a valid Table Schema at every path and notes each request."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = json.dumps({"schemas": []} if self.path.endswith("schemas.json") else SCHEMA).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found = Site(f"http://127.0.0.1:{server.server_port}")
    found.requests = requests
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def schema_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every schema file or URL the registry loads."""
    calls: list[str] = []
    load_file, load_url = registry.load_file, registry.load_url

    def spy_file(path: Path, origin: str = "fichier") -> registry.Schema:
        calls.append(str(path))
        return load_file(path, origin)

    def spy_url(url: str) -> registry.Schema:
        calls.append(url)
        return load_url(url)

    monkeypatch.setattr(registry, "load_file", spy_file)
    monkeypatch.setattr(registry, "load_url", spy_url)
    return calls


def visitor_specs(tmp_path: Path, site: Site) -> list[str]:
    schema = tmp_path / "mon-schema.json"
    schema.write_text(json.dumps(SCHEMA))
    return [
        "/etc/hostname",
        str(schema),
        f"file://{schema}",
        f"{site.base}/schema.json",
        "../../etc/passwd",
    ]


@pytest.mark.django_db
def test_the_web_page_and_the_api_refuse_a_schema_path_or_url_and_list_the_known_ones(
    client: Client, tmp_path: Path, site: Site, schema_reads: list[str]
) -> None:
    path = write_csv(tmp_path / "f.csv", SUB_HEADER, [list(SUB_GOOD)])
    for spec in visitor_specs(tmp_path, site):
        page = client.post(
            "/validation/", {"file": SimpleUploadedFile("f.csv", path.read_bytes()), "schema": spec}
        )
        assert page.status_code == 400, spec
        text = page.content.decode()
        assert "Schémas disponibles : " in text and "deliberations" in text and "subventions" in text
        api = client.post(
            "/api/validate", {"file": SimpleUploadedFile("f.csv", path.read_bytes()), "schema": spec}
        )
        assert api.status_code == 400, spec
        detail = api.json()["detail"]
        assert "Schémas disponibles : " in detail and "irve-statique" in detail, detail
    assert site.requests == []
    assert schema_reads == []
    assert not ValidationRun.objects.exists()


@pytest.mark.django_db
def test_the_web_and_the_api_still_take_a_name_a_version_or_an_identifier(
    client: Client, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", SUB_HEADER, [list(SUB_GOOD)])
    for spec in ("subventions", "subventions@2.1.1", "scdl/subventions"):
        api = client.post(
            "/api/validate", {"file": SimpleUploadedFile("f.csv", path.read_bytes()), "schema": spec}
        )
        assert api.status_code == 200, api.content
        assert api.json()["valide"] is True


def test_the_command_line_still_takes_a_schema_path_and_url(
    tmp_path: Path, site: Site, subventions_file: Path
) -> None:
    schema = tmp_path / "mon-schema.json"
    schema.write_text(json.dumps(SCHEMA))
    assert validate_cli(str(subventions_file), str(schema))[0] == 1
    code, text = validate_cli(str(subventions_file), f"{site.base}/schema.json")
    assert code == 1 and "5 au plus" in text
    assert site.requests == ["/schema.json"]


def test_the_command_line_refuses_a_schema_url_on_an_internal_address(
    settings: Any, site: Site, subventions_file: Path
) -> None:
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = False
    with pytest.raises(UsageError, match="adresse interne refusée") as caught:
        validate_cli(str(subventions_file), f"{site.base}/schema.json")
    assert caught.value.returncode == 2
    assert "n'est pas récupéré" in str(caught.value)
    assert site.requests == []


def test_sync_goes_through_the_guard_against_internal_addresses(
    settings: Any, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "CATALOGUE_URL", f"{site.base}/schemas.json")
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = False
    with pytest.raises(UsageError, match="Synchronisation impossible : .*adresse interne refusée"):
        Schemas(Output(StringIO()), Output(StringIO())).handle_one(None)
    assert site.requests == []
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = True
    Schemas(Output(StringIO()), Output(StringIO())).handle_one(None)
    assert site.requests == ["/schemas.json"]
