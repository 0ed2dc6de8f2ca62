"""The platform's DCAT-AP catalogue of published datasets: Turtle, RDF/XML and JSON-LD, paged with Hydra.

Each public dataset with a version is a ``dcat:Dataset`` whose URI is its public page; its latest
version's downloads are its distributions, each ``dct:conformsTo`` the schema's file on
schema.data.gouv.fr (which is how harvesters, data.gouv.fr's and this platform's, recognise SCDL);
the publisher is the collectivité, with its SIREN as ``dct:identifier``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Min
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD
from rdflib.term import Node

from odl.publishing import rdfwrite, services
from odl.publishing.models import LICENCE_URLS, Dataset, DatasetVersion, Frequency
from odl.schemas.registry import SchemaNotFound

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
PAGE_SIZE = 100
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
CONTENT_TYPES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}
_EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {
    Frequency.DAILY: "DAILY",
    Frequency.WEEKLY: "WEEKLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.SEMIANNUAL: "ANNUAL_2",
    Frequency.ANNUAL: "ANNUAL",
    Frequency.PUNCTUAL: "NEVER",
    Frequency.IRREGULAR: "IRREG",
}
_EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
FILE_TYPES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "geojson": "GEOJSON"}
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
}


@dataclass
class CataloguePage:
    graph: Graph
    total: int
    page: int
    last: int


def _site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def page_url(fmt: str, page: int) -> str:
    return f"{_site()}/donnees/catalogue.{fmt}?page={page}"


def schema_uri(identifier: str, version: str) -> str:
    return f"https://schema.data.gouv.fr/{identifier}/{version}/schema.json"


def cached_page(fmt: str, page: int) -> bytes:
    """The serialised page, kept until a dataset is published, edited, added or deleted.

    The key follows the count, the highest id and the last modification of the public datasets, so any
    change renews it. Renewing it costs little: each dataset's own triples are written once and kept
    (``_fragments``), so a page after one change writes only the changed dataset's.
    """
    from django.core.cache import cache
    from django.db.models import Count, Max

    state = Dataset.objects.published().aggregate(count=Count("pk"), top=Max("pk"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    key = f"publishing-dcat-{fmt}-{page}-{PAGE_SIZE}-{state['count']}-{state['top']}-{last}-{_site()}-{_CODE}"
    body = cache.get(key)
    if body is None:
        body = write_page(fmt, page)
        cache.set(key, body, 3600)
    return bytes(body)


class TripleSink(Protocol):
    """What the page's triples are added to: an rdflib Graph, or a plain list (``_Triples``)."""

    def add(self, triple: tuple[Node, Node, Node], /) -> Any: ...


class _Triples:
    """The triples as a list, in the order they are added: cheaper than an rdflib Graph to fill."""

    def __init__(self) -> None:
        self.triples: list[tuple[Node, Node, Node]] = []

    def add(self, triple: tuple[Node, Node, Node], /) -> _Triples:
        self.triples.append(triple)
        return self


@dataclass
class _PageRows:
    rows: list[Any]
    total: int
    last: int


def _page_rows(page: int) -> _PageRows:
    """The page's datasets with what their triples need, in three queries whatever the page."""
    published = Dataset.objects.published()
    total = published.count()
    last = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    rows = list(
        published.select_related("latest", "etd__territory").order_by("pk")[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE
        ]
    )
    # The first version's date, for the page's datasets only (an annotation over the join grouped
    # every public dataset before the page was cut out of them).
    first = dict(
        DatasetVersion.objects.filter(dataset_id__in=[d.pk for d in rows])
        .values("dataset_id")
        .annotate(first=Min("created_at"))
        .values_list("dataset_id", "first")
    )
    for dataset in rows:
        dataset.first_published = first.get(dataset.pk)  # type: ignore[attr-defined]
    return _PageRows(rows, total, last)


def build(fmt: str, page: int) -> CataloguePage:
    """One page of the catalogue (``page`` from 1); a page past the last one is empty but well-formed."""
    site = _site()
    found = _page_rows(page)
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("hydra", HYDRA)):
        graph.bind(prefix, namespace)
    schemas: dict[str, tuple[URIRef | None, list[str]]] = {}
    nodes = [_dataset(graph, dataset, site, schemas) for dataset in found.rows]
    _catalogue(graph, fmt, page, found.total, found.last, nodes, site)
    return CataloguePage(graph, found.total, page, found.last)


def _catalogue(
    graph: TripleSink, fmt: str, page: int, total: int, last: int, nodes: list[URIRef], site: str
) -> None:
    """The catalogue, its publisher and the Hydra view of the page (the datasets are ``nodes``)."""
    catalogue = URIRef(f"{site}/donnees/catalogue")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal("Jeux de données publiés sur OpenDataLocale", lang="fr")))
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            Literal("Jeux SCDL publiés par les collectivités accompagnées et leurs ATD.", lang="fr"),
        )
    )
    platform = URIRef(f"{site}/")
    graph.add((catalogue, DCTERMS.publisher, platform))
    graph.add((platform, RDF.type, FOAF.Agent))
    graph.add((platform, FOAF.name, Literal("OpenDataLocale")))
    for node in nodes:
        graph.add((catalogue, DCAT.dataset, node))
    view = URIRef(page_url(fmt, page))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer)))
    graph.add((view, HYDRA.firstPage, URIRef(page_url(fmt, 1))))
    graph.add((view, HYDRA.lastPage, URIRef(page_url(fmt, last))))
    graph.add((view, HYDRA.first, URIRef(page_url(fmt, 1))))
    graph.add((view, HYDRA.last, URIRef(page_url(fmt, last))))
    if page < last:
        graph.add((view, HYDRA.nextPage, URIRef(page_url(fmt, page + 1))))
        graph.add((view, HYDRA.next, URIRef(page_url(fmt, page + 1))))
    if page > 1:
        graph.add((view, HYDRA.previousPage, URIRef(page_url(fmt, page - 1))))
        graph.add((view, HYDRA.previous, URIRef(page_url(fmt, page - 1))))


# Any change of this file (the triples written) renews the kept pages and fragments.
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
FRAGMENT_SECONDS = 24 * 3600
PREFIXES = {
    "rdf": str(RDF),
    "xsd": str(XSD),
    "owl": str(OWL),
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "hydra": str(HYDRA),
}


def _fragment_key(fmt: str, dataset: Any, site: str) -> str:
    """Everything a dataset's triples are made of: a change of any of them is a new key."""
    latest, territory = dataset.latest, dataset.etd.territory
    facts = (
        _CODE,
        fmt,
        site,
        dataset.pk,
        dataset.updated_at.isoformat(),
        dataset.title,
        dataset.description,
        dataset.schema_name,
        dataset.licence,
        dataset.frequency,
        dataset.first_published.isoformat() if dataset.first_published else "",
        latest.pk,
        latest.number,
        latest.schema_version,
        latest.created_at.isoformat(),
        territory.pk,
        territory.nom,
        territory.siren,
    )
    return f"publishing-dcat-dataset-{dataset.pk}-{hashlib.sha256(repr(facts).encode()).hexdigest()[:32]}"


def _fragments(fmt: str, rows: list[Any], site: str) -> list[str]:
    """Each dataset's triples written in ``fmt``: kept in the cache, written only when missing."""
    from django.core.cache import cache

    keys = [_fragment_key(fmt, dataset, site) for dataset in rows]
    kept = cache.get_many(keys)
    schemas: dict[str, tuple[URIRef | None, list[str]]] = {}
    written: dict[str, str] = {}
    for key, dataset in zip(keys, rows, strict=True):
        if key not in kept:
            sink = _Triples()
            _dataset(sink, dataset, site, schemas)
            written[key] = rdfwrite.fragment(fmt, sink.triples, PREFIXES)
    if written:
        cache.set_many(written, FRAGMENT_SECONDS)
    return [kept[key] if key in kept else written[key] for key in keys]


def write_page(fmt: str, page: int) -> bytes:
    """One page as ``build`` makes it, written by ``rdfwrite`` from the kept fragments (same triples)."""
    site = _site()
    found = _page_rows(page)
    header = _Triples()
    nodes = [URIRef(f"{site}{dataset.get_absolute_url()}") for dataset in found.rows]
    _catalogue(header, fmt, page, found.total, found.last, nodes, site)
    parts = [rdfwrite.fragment(fmt, header.triples, PREFIXES), *_fragments(fmt, found.rows, site)]
    return rdfwrite.document(fmt, parts, PREFIXES)


def _schema_facts(
    dataset: Any, schemas: dict[str, tuple[URIRef | None, list[str]]]
) -> tuple[URIRef | None, list[str]]:
    """The schema's file URI and the download formats, looked up once per schema and version on a page."""
    key = f"{dataset.schema_name}@{dataset.latest.schema_version}"
    if key not in schemas:
        try:
            schema = services.schema_of(dataset)
            uri: URIRef | None = URIRef(
                schema_uri(schema.identifier or dataset.schema_name, dataset.latest.schema_version)
            )
        except SchemaNotFound:
            uri = None
        schemas[key] = (uri, services.formats_of(dataset))
    return schemas[key]


def _dataset(
    graph: TripleSink, dataset: Any, site: str, schemas: dict[str, tuple[URIRef | None, list[str]]]
) -> URIRef:
    latest = dataset.latest
    territory = dataset.etd.territory
    node = URIRef(f"{site}{dataset.get_absolute_url()}")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(node))))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="fr")))
    graph.add((node, DCTERMS.description, Literal(dataset.description or dataset.title, lang="fr")))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCAT.keyword, Literal(dataset.schema_name, lang="fr")))
    graph.add((node, DCAT.keyword, Literal("SCDL", lang="fr")))
    graph.add((node, DCTERMS.issued, Literal(dataset.first_published, datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.modified, Literal(latest.created_at, datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.accrualPeriodicity, URIRef(_EU_FREQUENCY + FREQUENCIES[dataset.frequency])))
    licence = URIRef(LICENCE_URLS[dataset.licence])
    graph.add((node, DCTERMS.license, licence))
    graph.add((node, OWL.versionInfo, Literal(str(latest.number))))
    publisher = (
        URIRef(f"https://annuaire-entreprises.data.gouv.fr/entreprise/{territory.siren}")
        if territory.siren
        else BNode()
    )
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(territory.nom)))
    if territory.siren:
        graph.add((publisher, DCTERMS.identifier, Literal(territory.siren)))
    conforms, formats = _schema_facts(dataset, schemas)
    for fmt in formats:
        distribution = URIRef(f"{site}/donnees/{dataset.pk}/dernier.{fmt}")
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(f"{dataset.title} ({FILE_TYPES[fmt]})", lang="fr")))
        graph.add((distribution, DCAT.accessURL, distribution))
        graph.add((distribution, DCAT.downloadURL, distribution))
        graph.add((distribution, DCTERMS.format, URIRef(_EU_FILE_TYPE + FILE_TYPES[fmt])))
        graph.add(
            (
                distribution,
                DCAT.mediaType,
                URIRef(f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[fmt]}"),
            )
        )
        graph.add((distribution, DCTERMS.license, licence))
        graph.add((distribution, DCTERMS.modified, Literal(latest.created_at, datatype=XSD.dateTime)))
        if conforms is not None:
            graph.add((distribution, DCTERMS.conformsTo, conforms))
    return node


def serialise(page: CataloguePage, fmt: str) -> bytes:
    return page.graph.serialize(format=FORMATS[fmt], encoding="utf-8")
