"""schema.data.gouv.fr client: the catalogue index (``schemas.json``) and the schema files it points to.

``sync`` reads the catalogue either online or from a local copy of the site (``--from DIR``, laid out
like the site: ``DIR/schemas.json`` and ``DIR/schemas/<identifiant>/<version>/schema.json``), stores
every Table Schema file it can reach under ``DATA_DIR/schemas/`` and records the rest as known but absent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from odl.core.netguard import InternalAddressRefused, guarded_client
from odl.schemas.registry import check_table_schema, synced_dir

CATALOGUE_URL = "https://schema.data.gouv.fr/schemas.json"
SITE_PREFIX = "https://schema.data.gouv.fr/"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_SCHEMA_BYTES = 5 * 1024 * 1024


class CatalogueError(Exception):
    """The catalogue or a schema could not be fetched or read (French message)."""


def fetch_json(url: str) -> Any:
    """GET a JSON document; the URL may come from a person or a catalogue, so internal hosts are refused."""
    try:
        with guarded_client(timeout=TIMEOUT, follow_redirects=True) as client:
            response = client.get(url)
    except InternalAddressRefused as exc:
        raise CatalogueError(f"« {url} » n'est pas récupéré : {exc}.") from exc
    except httpx.HTTPError as exc:
        raise CatalogueError(f"Impossible de joindre « {url} » : {exc.__class__.__name__}.") from exc
    except Exception as exc:  # pytest-socket and proxies raise their own types
        raise CatalogueError(f"Impossible de joindre « {url} » ({exc}).") from exc
    if response.status_code != 200:
        raise CatalogueError(f"« {url} » répond {response.status_code}.")
    if len(response.content) > MAX_SCHEMA_BYTES:
        raise CatalogueError(
            f"« {url} » dépasse {MAX_SCHEMA_BYTES // 1024 // 1024} Mo : ce n'est pas un schéma."
        )
    try:
        return response.json()
    except ValueError as exc:
        raise CatalogueError(f"« {url} » ne renvoie pas du JSON.") from exc


@dataclass
class SyncResult:
    catalogue: str
    stored: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


class Source:
    """Where the catalogue is read from: the site, or a local copy of it."""

    def __init__(self, local_dir: Path | None = None) -> None:
        self.local_dir = local_dir

    def describe(self) -> str:
        return str(self.local_dir) if self.local_dir else CATALOGUE_URL

    def catalogue(self) -> dict[str, Any]:
        if self.local_dir is None:
            data = fetch_json(CATALOGUE_URL)
        else:
            path = self.local_dir / "schemas.json"
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise CatalogueError(f"Catalogue absent : « {path} » n'existe pas.") from exc
            except ValueError as exc:
                raise CatalogueError(f"Le catalogue « {path} » n'est pas un JSON valide.") from exc
        if not isinstance(data, dict) or not isinstance(data.get("schemas"), list):
            raise CatalogueError(
                "Le catalogue ne suit pas le format de schema.data.gouv.fr (clé « schemas »)."
            )
        return data

    def schema(self, url: str) -> Any:
        if self.local_dir is None:
            return fetch_json(url)
        path = self.local_path(url)
        if not path.exists():
            raise CatalogueError(f"absent de la copie locale ({path})")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise CatalogueError(f"« {path} » n'est pas un JSON valide") from exc

    def local_path(self, url: str) -> Path:
        assert self.local_dir is not None
        relative = urlparse(url).path.lstrip("/")
        return self.local_dir / relative


def sync(source: Source, progress: Callable[[str, int, int], None] | None = None) -> SyncResult:
    """Store every Table Schema version the catalogue lists and the source can give; keep going on failures."""
    data = source.catalogue()
    result = SyncResult(catalogue=source.describe())
    target = synced_dir()
    target.mkdir(parents=True, exist_ok=True)
    index: dict[str, Any] = {"source": source.describe(), "schemas": {}}
    entries = [e for e in data["schemas"] if isinstance(e, dict) and e.get("name")]
    for position, entry in enumerate(entries, start=1):
        ident = str(entry["name"])
        if progress:
            progress("Schémas", position, len(entries))
        if entry.get("schema_type") != "tableschema":
            result.skipped.append((ident, str(entry.get("schema_type"))))
            continue
        versions = [v for v in entry.get("versions", []) if isinstance(v, dict) and v.get("schema_url")]
        record: dict[str, Any] = {
            "titre": entry.get("title", ""),
            "versions": [str(v.get("version_name")) for v in versions],
            "derniere": str(versions[-1]["version_name"]) if versions else "",
            "fichiers": {},
        }
        # The latest version is the one people validate against; older ones are fetched when offered.
        for version in versions:
            name = str(version.get("version_name"))
            url = str(version["schema_url"])
            try:
                schema = check_table_schema(source.schema(url), f"« {url} »")
            except Exception as exc:  # each schema fails alone; the sync goes on
                result.missing.append((ident, name, str(exc)))
                continue
            path = target / ident.replace("/", "__") / f"{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
            record["fichiers"][name] = str(path)
            result.stored.append((ident, name))
        index["schemas"][ident] = record
    (target / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    return result
