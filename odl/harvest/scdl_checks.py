"""After a harvest: download the SCDL resources of new or changed datasets and validate them.

This runs after the datasets are stored and deduplicated, outside any transaction (it goes to the
network), and before the snapshot. ``take_snapshot`` never downloads anything: it reads the stored
outcome through :func:`stored_verdict`. The work is bounded per run
(``ODL_SCDL_VALIDATE_MAX_PER_RUN`` downloads, 0 disables); a dataset whose content hash has not
changed since its resources were checked is not downloaded again. A resource that cannot be
checked is recorded with the French reason, never as invalid, and never fails the harvest.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from django.apps import apps
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from odl.core.netguard import RESOURCES, InternalAddressRefused, refuse_internal_hosts
from odl.harvest.harvesters.client import ServiceClient
from odl.harvest.harvesters.scdl import normalise_schema_name
from odl.harvest.models import HarvestedDataset

if TYPE_CHECKING:
    from odl.schemas.registry import Schema

logger = logging.getLogger(__name__)
TABULAR_FORMATS = ("csv", "xlsx", "ods")


class ResourceUnavailable(Exception):
    """The resource could not be downloaded; ``final`` is False when a later run may succeed."""

    def __init__(self, message: str, *, final: bool) -> None:
        super().__init__(message)
        self.final = final


class ResourceClient(ServiceClient):
    """Downloads one resource file, streaming, with the harvest's timeout, retries and size limit."""

    service_name = "ressource"
    guard_setting = RESOURCES

    def download(self, url: str, dest: Path) -> None:
        if not self.http.event_hooks["request"]:
            # Every request, redirects included, goes through the guard against internal addresses.
            self.http.event_hooks["request"].append(_refuse_internal_hosts)
        attempt = 0
        while True:
            attempt += 1
            self.requests_made += 1
            try:
                with self.http.stream("GET", url, headers={"Accept": "*/*"}) as response:
                    status = response.status_code
                    if status == 429 or status >= 500:
                        if attempt > self.retries:
                            raise ResourceUnavailable(
                                f"le serveur répond en erreur (code HTTP {status}) après {attempt} essais",
                                final=False,
                            )
                        retry_after = response.headers.get("Retry-After")
                    elif status >= 400:
                        raise ResourceUnavailable(
                            f"la ressource est introuvable (code HTTP {status})", final=True
                        )
                    else:
                        self._save(response, dest)
                        return
            except InternalAddressRefused as exc:  # refused where the connection is made (pinned)
                raise ResourceUnavailable(str(exc), final=exc.final) from exc
            except httpx.TooManyRedirects as exc:
                raise ResourceUnavailable("trop de redirections", final=True) from exc
            except httpx.HTTPError as exc:  # a timeout or a failed connection: worth another attempt
                if attempt > self.retries:
                    reason = (
                        f"pas de réponse en {self.timeout:g} s ({attempt} essais)"
                        if isinstance(exc, httpx.TimeoutException)
                        else f"connexion impossible ({exc.__class__.__name__})"
                    )
                    raise ResourceUnavailable(reason, final=False) from exc
                retry_after = None
            self._sleep(attempt, retry_after)

    def _save(self, response: httpx.Response, dest: Path) -> None:
        limit = (
            f"{self.max_bytes // (1024 * 1024)} Mo"
            if self.max_bytes >= 1024 * 1024
            else f"{max(self.max_bytes // 1024, 1)} ko"
        )
        too_big = ResourceUnavailable(f"fichier trop volumineux (plus de {limit})", final=True)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        size = 0
        with dest.open("wb") as out:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise too_big
                out.write(chunk)


def _refuse_internal_hosts(request: httpx.Request) -> None:
    """Resource URLs come from harvested metadata: never let them reach the platform's own network."""
    try:
        refuse_internal_hosts(request)
    except InternalAddressRefused as exc:
        raise ResourceUnavailable(str(exc), final=exc.final) from exc


def stored_verdict(checks: list[dict[str, Any]] | None, resource: Any, schema_id: str) -> bool | None:
    """True/False for this resource and schema when the validator checked it, None when nobody could tell."""
    if not isinstance(resource, dict) or not resource.get("url"):
        return None
    for entry in checks or []:
        if (
            isinstance(entry, dict)
            and entry.get("schema") == schema_id
            and entry.get("url") == resource["url"]
            and isinstance(entry.get("valid"), bool)
        ):
            return bool(entry["valid"])
    return None


@dataclass
class CheckStats:
    datasets: int = 0
    downloads: int = 0
    valid: int = 0
    invalid: int = 0
    unchecked: int = 0


def resource_format(resource: dict[str, Any]) -> str:
    """``csv``, ``xlsx`` or ``ods`` from the declared format, else from the URL's extension; "" otherwise."""
    declared = str(resource.get("format") or "").strip().lower().lstrip(".")
    if declared in TABULAR_FORMATS:
        return declared
    suffix = PurePosixPath(urlsplit(str(resource.get("url") or "")).path).suffix.lower().lstrip(".")
    if suffix in TABULAR_FORMATS and declared in ("", suffix, "text/csv", "application/octet-stream"):
        return suffix
    return ""


def targets(schemas: list[str], resources: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(resource, schema id, reason it will not be checked or "") for the resources worth checking.

    A resource is checked against the schema it declares, or against the dataset's schema when the
    dataset has only one; a table under a dataset with several schemas is not guessed at.
    """
    for resource in resources:
        if not resource.get("url"):
            continue
        raw = resource.get("schema")
        declared = normalise_schema_name(raw) if isinstance(raw, str) else ""
        fmt = resource_format(resource)
        if declared:
            if fmt:
                yield resource, declared, ""
            else:
                shown = str(resource.get("format") or "inconnu")[:40]
                yield resource, declared, f"format « {shown} » non contrôlé : CSV, XLSX ou ODS attendu"
        elif isinstance(raw, str) and raw.strip() and schemas:
            # It says which schema it follows, and that one is not of the SCDL: not checked, and why.
            yield resource, "", f"la ressource déclare le schéma « {raw.strip()[:200]} », hors SCDL"
        elif fmt and len(schemas) == 1:
            yield resource, schemas[0], ""
        elif fmt and schemas:
            yield resource, "", "plusieurs schémas possibles pour ce jeu : la ressource ne dit pas le sien"


class SchemaLookup:
    """Observatory schema ids (``scdl/subventions``) → the schemas registry's schemas, once per run."""

    def __init__(self) -> None:
        from odl.schemas.registry import list_schemas

        self.names = {
            str(row["identifiant"]).lower(): str(row["nom"])
            for row in list_schemas()
            if row.get("identifiant")
        }
        self._cache: dict[str, Schema | None] = {}

    def get(self, schema_id: str) -> Schema | None:
        from odl.schemas.registry import SchemaNotFound, known

        if schema_id not in self._cache:
            name = self.names.get(schema_id.lower())
            try:
                self._cache[schema_id] = known(name) if name else None
            except SchemaNotFound:
                self._cache[schema_id] = None
        return self._cache[schema_id]


def pending() -> Any:
    """Counted-or-not current canonical datasets with a schema whose resources were not checked as they are now."""
    return (
        HarvestedDataset.objects.current()
        .filter(duplicate_of__isnull=True)
        .exclude(schemas=[])
        .exclude(scdl_checked_hash=F("content_hash"))
        .order_by("pk")
    )


def _pending_datasets(chunk: int = 100) -> Iterator[HarvestedDataset]:
    """The pending datasets, a few at a time: a national backlog is not loaded at once, and rows are
    updated between reads (no open cursor)."""
    pks = list(pending().values_list("pk", flat=True))
    fields = ("id", "schemas", "resources", "content_hash", "scdl_validation")
    for start in range(0, len(pks), chunk):
        yield from (
            HarvestedDataset.objects.filter(pk__in=pks[start : start + chunk]).order_by("pk").only(*fields)
        )


def validate_pending(limit: int | None = None) -> CheckStats:
    """Check the resources of pending datasets, at most ``limit`` downloads (the setting by default)."""
    budget = settings.ODL_SCDL_VALIDATE_MAX_PER_RUN if limit is None else limit
    stats = CheckStats()
    if budget <= 0 or not apps.is_installed("odl.schemas"):
        return stats
    lookup = SchemaLookup()
    client = ResourceClient("")
    try:
        with tempfile.TemporaryDirectory(prefix="odl-scdl-") as tmp:
            for dataset in _pending_datasets():
                if stats.downloads >= budget:
                    break
                stats.datasets += 1
                budget_left = budget - stats.downloads
                entries, complete, used = check_dataset(
                    dataset, lookup, client, Path(tmp), budget_left, stats
                )
                stats.downloads += used
                HarvestedDataset.objects.filter(pk=dataset.pk).update(
                    scdl_validation=entries, scdl_checked_hash=dataset.content_hash if complete else ""
                )
    finally:
        client.close()
    return stats


def check_dataset(
    dataset: HarvestedDataset,
    lookup: SchemaLookup,
    client: ResourceClient,
    tmp: Path,
    budget: int,
    stats: CheckStats,
) -> tuple[list[dict[str, Any]], bool, int]:
    """The dataset's entries, whether every resource got a lasting answer, and the downloads used."""
    # Answers already given for this very content (an earlier run ran out of budget half-way).
    kept = {
        (e.get("url"), e.get("schema")): e
        for e in dataset.scdl_validation or []
        if isinstance(e, dict) and e.get("hash") == dataset.content_hash and e.get("final")
    }
    entries: list[dict[str, Any]] = []
    complete = True
    used = 0
    for resource, schema_id, reason in targets(list(dataset.schemas or []), list(dataset.resources or [])):
        url = str(resource["url"])
        previous = kept.get((url, schema_id))
        if previous is not None:
            entries.append(previous)
            continue
        entry: dict[str, Any] = {
            "url": url,
            "title": str(resource.get("title") or "")[:300],
            "schema": schema_id,
            "valid": None,
            "errors": None,
            "rows": None,
            "reason": reason,
            "checked_at": timezone.now().isoformat(),
            "hash": dataset.content_hash,
            "final": True,
        }
        schema = lookup.get(schema_id) if not reason else None
        if not reason and schema is None:
            entry["reason"] = f"schéma « {schema_id} » inconnu du validateur de la plateforme"
        if entry["reason"]:
            stats.unchecked += 1
            entries.append(entry)
            continue
        if used >= budget:
            complete = False
            continue
        used += 1
        assert schema is not None
        entry["schema_version"] = schema.version
        _check_one(client, url, resource_format(resource), schema, tmp, entry)
        if entry["valid"] is None:
            stats.unchecked += 1
            complete = complete and entry["final"]
        elif entry["valid"]:
            stats.valid += 1
        else:
            stats.invalid += 1
        entries.append(entry)
    return entries, complete, used


def _check_one(
    client: ResourceClient, url: str, fmt: str, schema: Schema, tmp: Path, entry: dict[str, Any]
) -> None:
    from odl.core.spreadsheets import UnreadableFile
    from odl.schemas.service import validate_file

    path = tmp / f"ressource.{fmt}"
    try:
        client.download(url, path)
        name = PurePosixPath(urlsplit(url).path).name or f"ressource.{fmt}"
        # Only the counts are kept: no detailed errors, and no référentiel lookups (warnings only).
        result = validate_file(path, schema, max_errors=0, display_name=name, referentiel=False)
    except ResourceUnavailable as exc:
        entry["reason"], entry["final"] = str(exc), exc.final
        return
    except UnreadableFile as exc:
        entry["reason"] = f"fichier illisible : {exc}"
        return
    except Exception as exc:  # a validator bug must not stop the harvest; the reason says it
        logger.exception("validating the SCDL resource %s failed", url)
        entry["reason"] = f"erreur inattendue du validateur : {exc.__class__.__name__}"
        return
    finally:
        path.unlink(missing_ok=True)
    entry["valid"] = result.valid
    entry["errors"] = result.errors
    entry["rows"] = result.rows
