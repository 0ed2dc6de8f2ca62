"""``odl schemas sync``: the schema.data.gouv.fr catalogue, from a local copy or over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest

from odl.core.programs import Output, UsageError
from odl.schemas import catalogue
from odl.schemas.commandline import Schemas
from odl.schemas.registry import list_schemas, resolve


@pytest.fixture(autouse=True)
def _own_data_dir(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "var"  # type: ignore[attr-defined]


def sync(source: str | None) -> tuple[catalogue.SyncResult, str]:
    out = StringIO()
    result = Schemas(Output(out), Output(StringIO())).handle_one(source)
    return result, out.getvalue()


def test_sync_reads_the_shared_copy_of_the_catalogue_and_says_which_files_are_missing(
    shared_data: Path,
) -> None:
    result, text = sync(str(shared_data / "scdl" / "schema-data-gouv-fr"))
    assert result.stored == []
    missing = {ident for ident, _, _ in result.missing}
    assert {"scdl/deliberations", "scdl/subventions", "etalab/schema-irve-statique"} <= missing
    assert "absent de la copie locale" in text
    assert "les schémas embarqués restent utilisés" in text
    rows = {r["nom"]: r for r in list_schemas()}
    assert rows["deliberations"]["version"] == "2.1.5"
    assert "2.1.4" in rows["deliberations"]["versions"]
    assert rows["irve-dynamique"]["origine"] == "catalogue"
    assert resolve("deliberations").origin == "embarqué"


def _mirror(root: Path, shared: Path, base_url: str) -> None:
    official = json.loads((shared / "scdl" / "subventions" / "schema.json").read_text())
    official["version"] = "2.2.0"
    target = root / "schemas" / "scdl" / "subventions" / "2.2.0" / "schema.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(official))
    (root / "schemas.json").write_text(
        json.dumps(
            {
                "schemas": [
                    {
                        "name": "scdl/subventions",
                        "title": "Subventions",
                        "schema_type": "tableschema",
                        "versions": [
                            {
                                "version_name": "2.1.1",
                                "schema_url": f"{base_url}/schemas/scdl/subventions/2.1.1/schema.json",
                            },
                            {
                                "version_name": "2.2.0",
                                "schema_url": f"{base_url}/schemas/scdl/subventions/2.2.0/schema.json",
                            },
                        ],
                    },
                    {"name": "etalab/schema-bal", "schema_type": "other", "versions": []},
                ]
            }
        )
    )


def test_a_newer_synced_version_is_used_and_the_embedded_one_stays_available(
    tmp_path: Path, shared_data: Path
) -> None:
    mirror = tmp_path / "mirror"
    _mirror(mirror, shared_data, "https://schema.data.gouv.fr")
    result, _ = sync(str(mirror))
    assert result.stored == [("scdl/subventions", "2.2.0")]
    assert [i for i, _ in result.skipped] == ["etalab/schema-bal"]
    assert resolve("subventions").version == "2.2.0"
    assert resolve("subventions@2.1.1").origin == "embarqué"


@pytest.fixture
def local_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(root)))
    server.RequestHandlerClass.log_message = lambda *a: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", root
    server.shutdown()
    server.server_close()


def test_sync_online_fetches_the_catalogue_and_schemas_over_http(
    local_site: tuple[str, Path], shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, root = local_site
    _mirror(root, shared_data, base)
    monkeypatch.setattr(catalogue, "CATALOGUE_URL", f"{base}/schemas.json")
    result, text = sync(None)
    assert result.stored == [("scdl/subventions", "2.2.0")]
    assert "répond 404" in text
    assert resolve(f"{base}/schemas/scdl/subventions/2.2.0/schema.json").version == "2.2.0"


def test_sync_from_a_folder_without_catalogue_exits_2(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Catalogue absent") as caught:
        sync(str(tmp_path))
    assert caught.value.returncode == 2
