"""What every harvester shares: the harvested item, the HTTP client with retries, the registry.

A harvester turns one source (a URL and filters) into pages of :class:`HarvestedItem`. It never
touches the database: storing, matching and deduplication live in ``runner.py``. Adding a kind of
source means copying a sibling module (``ckan.py`` is the shortest) and registering it.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware

from odl.core.text import fold

USER_AGENT = "OpenDataLocale-moissonneur/1.0 (+https://opendatalocale.fr)"
MAX_TITLE = 500
MAX_DESCRIPTION = 20_000
MAX_TAGS = 100
MAX_RESOURCES = 200


class HarvestError(Exception):
    """A source failed as a whole; the message is French and shown to users as is."""


class SourceUrlError(HarvestError):
    """The declared URL cannot be a source of this kind."""


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


ProgressCallback = Callable[[int, int | None], None]


# ---------------------------------------------------------------- cleaning untrusted text


def clean_text(value: Any, limit: int) -> str:
    """Outside text as a plain string, cut to ``limit`` characters; escaping is the templates' job."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v is not None)
    text = str(value).replace("\x00", "").strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def parse_when(value: Any) -> datetime | None:
    """A date or datetime from a source, or None when it is missing or not a real date."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    try:
        moment = parse_datetime(text.replace("Z", "+00:00"))
        if moment is None:
            day = parse_date(text[:10])
            if day is None:
                return None
            moment = datetime(day.year, day.month, day.day)
    except ValueError:
        return None
    if not 1900 <= moment.year <= 2200:
        return None
    if is_naive(moment):
        moment = make_aware(moment, UTC)
    return moment


KNOWN_LICENSES = {
    "lov2": "Licence Ouverte v2.0",
    "fr-lo": "Licence Ouverte v1.0",
    "licence ouverte": "Licence Ouverte",
    "licence ouverte v2 0": "Licence Ouverte v2.0",
    "licence ouverte version 2 0": "Licence Ouverte v2.0",
    "etalab 2 0": "Licence Ouverte v2.0",
    "etalab": "Licence Ouverte",
    "open licence": "Licence Ouverte",
    "odc odbl": "ODbL",
    "odbl": "ODbL",
    "open database license odbl": "ODbL",
    "cc by": "CC-BY",
    "cc by 4 0": "CC-BY 4.0",
    "cc by sa": "CC-BY-SA",
    "cc by sa 4 0": "CC-BY-SA 4.0",
    "cc zero": "CC0",
    "cc0": "CC0",
    "cc0 1 0": "CC0",
    "odc pddl": "PDDL",
    "other open": "Autre licence ouverte",
    "other at": "Autre licence (attribution)",
    "notspecified": "",
    "license not specified": "",
    "not specified": "",
    "other closed": "Licence fermée",
    "open government licence v3 0": "Open Government Licence v3.0",
    "uk ogl": "Open Government Licence",
}


def normalise_license(value: Any) -> str:
    """A licence label we know, the source's own short label, or "" (unknown) for anything odd."""
    if not value or not isinstance(value, str):
        return ""
    text = value.strip()
    folded = fold(text)
    if folded in KNOWN_LICENSES:
        return KNOWN_LICENSES[folded]
    if "licence ouverte" in folded or "licence_ouverte" in text.lower() or "etalab" in folded:
        return "Licence Ouverte"
    if "odbl" in folded:
        return "ODbL"
    if "creativecommons org" in folded or folded.startswith("cc "):
        return clean_text(text, 200)
    # A sentence, markup or garbage is not a licence label: record it as unknown.
    if len(text) > 80 or "<" in text or not any(ch.isalpha() for ch in text):
        return ""
    return clean_text(text, 200)


def safe_url(value: Any) -> str:
    """An http(s) URL we may put in an href, or "": a harvested ``javascript:`` link must never be clickable."""
    text = clean_text(value, 1000).replace(" ", "%20")
    if any(ord(ch) < 32 for ch in text):
        return ""
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return text


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def identity_key(kind: str, host: str, remote_id: str) -> str:
    """The cross-platform identity of a dataset: the same on the portal and on data.gouv.fr's copy."""
    return f"{kind}:{host.lower().removeprefix('www.')}:{remote_id}"[:300]


def uri_key(uri: str) -> str:
    parts = urlsplit(uri.strip())
    if not parts.scheme:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"uri:{host}{parts.path.rstrip('/')}{'?' + parts.query if parts.query else ''}"[:300]


def validate_http_url(url: str) -> str:
    """The URL as given when it is an absolute http(s) URL; a French SourceUrlError otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceUrlError(f"« {url} » n'est pas une adresse web valide : elle doit commencer par https://")
    return url


# ---------------------------------------------------------------- HTTP


def portal_base(url: str) -> str:
    """The portal's root from whatever URL was declared (``…/api/3/action``, ``…/api/explore/v2.1``)."""
    base = url.rstrip("/")
    marker = base.find("/api/")
    return base[:marker] if marker >= 0 else base


def harvest_setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


class ServiceClient:
    """A small httpx client with retries and back-off; subclasses own the URLs of one service.

    Timeouts, connection errors, 429 (honouring Retry-After within reason) and 5xx are retried with
    exponential back-off; anything else fails at once with a French message.
    """

    service_name: ClassVar[str] = "service"

    def __init__(self, base_url: str, *, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = float(harvest_setting("ODL_HARVEST_TIMEOUT", 30.0))
        self.retries = int(harvest_setting("ODL_HARVEST_RETRIES", 3))
        self.backoff = float(harvest_setting("ODL_HARVEST_BACKOFF", 1.0))
        self.max_bytes = int(harvest_setting("ODL_HARVEST_MAX_RESPONSE_BYTES", 100 * 1024 * 1024))
        self._owns_http = http is None
        self.http = http or httpx.Client(
            timeout=self.timeout,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self.requests_made = 0

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def get(
        self, url: str, params: dict[str, Any] | None = None, accept: str | None = None
    ) -> httpx.Response:
        headers = {"Accept": accept} if accept else None
        attempt = 0
        while True:
            attempt += 1
            self.requests_made += 1
            try:
                response = self.http.get(url, params=params, headers=headers)
            except httpx.TooManyRedirects as exc:
                raise HarvestError(f"{self.service_name} : trop de redirections depuis {url}") from exc
            except httpx.TimeoutException as exc:
                if attempt > self.retries:
                    raise HarvestError(
                        f"{self.service_name} : pas de réponse en {self.timeout:g} s ({attempt} essais) pour {url}"
                    ) from exc
                self._sleep(attempt, None)
                continue
            except httpx.HTTPError as exc:
                if attempt > self.retries:
                    raise HarvestError(
                        f"{self.service_name} : connexion impossible à {url} ({exc.__class__.__name__})"
                    ) from exc
                self._sleep(attempt, None)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt > self.retries:
                    what = (
                        "limite de requêtes atteinte (429)"
                        if response.status_code == 429
                        else "erreur du serveur"
                    )
                    raise HarvestError(
                        f"{self.service_name} : {what}, code HTTP {response.status_code} après {attempt} essais pour {url}"
                    )
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code >= 400:
                raise HarvestError(f"{self.service_name} : code HTTP {response.status_code} pour {url}")
            if len(response.content) > self.max_bytes:
                raise HarvestError(f"{self.service_name} : réponse trop volumineuse pour {url}")
            return response

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        response = self.get(url, params)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HarvestError(
                f"{self.service_name} : la réponse de {response.url} n'est pas du JSON valide "
                f"(type annoncé : {response.headers.get('content-type', 'inconnu')})"
            ) from exc

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2 ** (attempt - 1))
        if retry_after and retry_after.strip().isdigit():
            # Honour the server, but a source may not hold a harvest hostage for minutes.
            delay = max(delay, min(float(retry_after), 60.0 * max(self.backoff, 0.01)))
        time.sleep(delay + random.uniform(0, delay / 10))


# ---------------------------------------------------------------- harvesters and registry


class Harvester:
    """One kind of source. Subclasses set ``kind``, ``technology`` and implement ``pages()``."""

    kind: ClassVar[str]
    technology: ClassVar[str]
    label: ClassVar[str]
    client: ServiceClient
    # What the declaration form shows under the URL field.
    url_help: ClassVar[str] = ""

    def __init__(self, url: str, filters: dict[str, Any] | None = None, *, http: httpx.Client | None = None):
        self.url = validate_http_url(url)
        self.filters = filters or {}
        self._http = http
        self.max_pages = int(harvest_setting("ODL_HARVEST_MAX_PAGES", 2000))
        self.page_size = int(harvest_setting("ODL_HARVEST_PAGE_SIZE", 100))

    def pages(self) -> Iterator[Page]:
        raise NotImplementedError

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Harvester:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def first_page(self) -> Page:
        """What the "tester cette source" button shows: one page, nothing stored."""
        for page in self.pages():
            return page
        return Page(items=[])

    def offset_pages(
        self,
        fetch: Callable[[int], tuple[list[Any], Any]],
        to_page: Callable[[list[Any], Any], Page],
        param: str = "offset",
        before_next: Callable[[int], None] | None = None,
    ) -> Iterator[Page]:
        """Pages of an API paged by offset (CKAN ``start``, Opendatasoft ``offset``).

        ``fetch(offset)`` returns the raw results and the announced total. A portal that ignores the
        offset (the same datasets again), pages forever or loops is stopped with a French message.
        """
        offset = 0
        count = 0
        seen_ids: set[str] = set()
        seen_urls: set[str] = set()
        while True:
            results, total = fetch(offset)
            count += 1
            page = to_page(results, total)
            new_ids = {item.remote_id for item in page.items} - seen_ids
            if page.items and not new_ids:
                raise HarvestError(
                    f"{self.label} : le portail renvoie toujours les mêmes jeux de données, pagination interrompue"
                )
            seen_ids |= new_ids
            yield page
            offset += len(results)
            if not results or (isinstance(total, int) and offset >= total):
                break
            if before_next is not None:
                before_next(offset)
            self.guard_pages(count, seen_urls, f"{param}={offset}")

    def guard_pages(self, count: int, seen_urls: set[str], next_url: str) -> None:
        """Stop a source that paginates forever or loops back to a page already read."""
        if count >= self.max_pages:
            raise HarvestError(
                f"{self.label} : plus de {self.max_pages} pages, la pagination semble sans fin ; moissonnage interrompu"
            )
        if next_url in seen_urls:
            raise HarvestError(f"{self.label} : la pagination revient sur une page déjà lue ({next_url})")
        seen_urls.add(next_url)

    def filter_tags(self) -> list[str]:
        tags = self.filters.get("tags") or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        return [str(t) for t in tags]


REGISTRY: dict[str, type[Harvester]] = {}


def register(cls: type[Harvester]) -> type[Harvester]:
    REGISTRY[cls.kind] = cls
    return cls


def harvester_for(kind: str, url: str, filters: dict[str, Any] | None = None, **kwargs: Any) -> Harvester:
    # The modules register themselves on import.
    from odl.harvest.harvesters import ckan, datagouv, dcat, opendatasoft  # noqa: F401

    try:
        cls = REGISTRY[kind]
    except KeyError:
        raise SourceUrlError(f"type de source inconnu : « {kind} »") from None
    return cls(url, filters, **kwargs)
