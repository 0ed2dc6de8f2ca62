"""The base class of every harvester and the registry of source kinds.

A harvester turns one source (a URL and filters) into pages of :class:`HarvestedItem`. It never
touches the database: storing, matching and deduplication live in ``runner.py``. Each kind of source is
one module of this package with the same three parts (a typed client, ``pages()``, ``item()``) and a
``@register`` class; ``HarvestConfig.ready()`` imports every module here, so a new module is a new kind
(see docs/harvest.md, "Adding a kind of source").
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, TypeVar

import httpx

from odl.harvest.harvesters.cleaning import validate_http_url
from odl.harvest.harvesters.client import ServiceClient, harvest_setting
from odl.harvest.harvesters.errors import HarvestError, SourceUrlError
from odl.harvest.harvesters.items import HarvestedItem, Page

# Portals' counts drift a little while they are paged (a dataset published meanwhile): below this share
# of the announced total, a run is not trusted to say what vanished.
ANNOUNCED_TOLERANCE = 0.02


class Harvester:
    """One kind of source: a typed ``client``, ``pages()`` and ``item()`` (one remote record → item).

    Subclasses set ``kind`` (stored in ``HarvestSource.kind``), ``label`` (French, offered in the form
    and the CLI), ``technology`` (the platform's name, recorded on the source) and ``url_help``, build
    their client in ``__init__`` and are decorated with :func:`register`.
    """

    kind: ClassVar[str]
    technology: ClassVar[str]
    label: ClassVar[str]
    client: ServiceClient
    # What the declaration form shows under the URL field.
    url_help: ClassVar[str] = ""
    # A national aggregator keeps copies of other portals' datasets: the originals win deduplication.
    aggregator: ClassVar[bool] = False
    # What item() raises for one unreadable record: that record fails, the rest of the page goes on.
    item_errors: ClassVar[tuple[type[Exception], ...]] = (ValueError, TypeError, AttributeError)
    # The key of a record's identifier, for the failure report.
    record_id_key: ClassVar[str] = "id"

    def __init__(
        self, url: str, filters: dict[str, Any] | None = None, *, http: httpx.Client | None = None
    ) -> None:
        self.url = validate_http_url(url)
        self.filters = filters or {}
        self._http = http
        self.max_pages = int(harvest_setting("ODL_HARVEST_MAX_PAGES", 2000))
        self.page_size = int(harvest_setting("ODL_HARVEST_PAGE_SIZE", 100))
        # What the source announced (summed over its queries) and why paging ended before the
        # announced end: the runner archives nothing when a run saw clearly less than announced.
        self.announced: int | None = None
        self.shortfalls: list[str] = []

    def announce(self, total: Any) -> None:
        """Record the total one query of the source announced (CKAN ``count``, ``total_count``…)."""
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            self.announced = (self.announced or 0) + total

    def fall_short(self, reason: str) -> None:
        """Paging ended before the end the source announced: ``reason`` in French, for the run's page."""
        self.shortfalls.append(reason)

    @classmethod
    def declared_technology(cls) -> str:
        """The technology recorded when a source is declared; "" when only a harvest can tell."""
        return cls.technology

    def pages(self) -> Iterator[Page]:
        raise NotImplementedError

    def item(self, record: Any) -> HarvestedItem | None:
        """One remote record as an item; None for a record that is not published (private, deleted)."""
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

    def page_of(self, records: Iterable[Any], total: Any = None) -> Page:
        """A page of ``item(record)`` for each record; an unreadable record is a failure, not the end."""
        records = list(records)
        page = Page(items=[], total=total if isinstance(total, int) else None, records=len(records))
        for record in records:
            try:
                item = self.item(record)
            except self.item_errors as exc:
                remote = record.get(self.record_id_key) if isinstance(record, dict) else ""
                page.failures.append({"remote_id": str(remote or ""), "error": str(exc)})
                continue
            if item is not None:
                page.items.append(item)
        return page

    def offset_pages(
        self,
        fetch: Callable[[int], tuple[list[Any], Any]],
        param: str = "offset",
        before_next: Callable[[int], None] | None = None,
    ) -> Iterator[Page]:
        """Pages of an API paged by offset (CKAN ``start``, Opendatasoft ``offset``).

        ``fetch(offset)`` returns the raw records and the announced total; each record goes through
        ``item()``. A portal that ignores the
        offset (the same datasets again), pages forever or loops is stopped with a French message.
        """
        offset = 0
        count = 0
        seen_ids: set[str] = set()
        seen_urls: set[str] = set()
        while True:
            results, total = fetch(offset)
            count += 1
            if count == 1:
                self.announce(total)
            page = self.page_of(results, total)
            new_ids = {item.remote_id for item in page.items} - seen_ids
            if page.items and not new_ids:
                raise HarvestError(
                    f"{self.label} : le portail renvoie toujours les mêmes jeux de données, pagination interrompue"
                )
            seen_ids |= new_ids
            yield page
            if not results and isinstance(total, int) and offset < total:
                self.fall_short(
                    f"{self.label} : page vide à la position {offset} alors que la source annonce {total} jeux"
                )
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
PACKAGE = "odl.harvest.harvesters"
H = TypeVar("H", bound=Harvester)


def register(cls: type[H]) -> type[H]:
    """Class decorator: the harvester's ``kind`` becomes a kind of source offered everywhere."""
    REGISTRY[cls.kind] = cls
    return cls


def discover(package: str = PACKAGE) -> None:
    """Import every module of ``package``: each harvester module registers its class on import.

    ``HarvestConfig.ready()`` calls it, so the registry is complete before any request or command.
    """
    found = importlib.import_module(package)
    for module in pkgutil.iter_modules(found.__path__, prefix=f"{package}."):
        importlib.import_module(module.name)


def kinds() -> dict[str, str]:
    """Every registered kind of source and its French label, in module order."""
    return {kind: cls.label for kind, cls in REGISTRY.items()}


def kinds_text(last: str = " ou ") -> str:
    """The kinds for a help text: « ckan, datagouv, dcat ou opendatasoft »."""
    names = list(REGISTRY)
    return ", ".join(names[:-1]) + last + names[-1] if len(names) > 1 else "".join(names)


def harvester_for(kind: str, url: str, filters: dict[str, Any] | None = None, **kwargs: Any) -> Harvester:
    try:
        cls = REGISTRY[kind]
    except KeyError:
        raise SourceUrlError(f"type de source inconnu : « {kind} »") from None
    return cls(url, filters, **kwargs)
