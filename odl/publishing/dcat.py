"""The platform's DCAT-AP catalogue of published datasets: Turtle, RDF/XML and JSON-LD, paged with Hydra.

Each public dataset with a version is a ``dcat:Dataset`` whose URI is its public page; its latest
version's downloads are its distributions, each ``dct:conformsTo`` the schema's file on
schema.data.gouv.fr (which is how harvesters, data.gouv.fr's and this platform's, recognise SCDL);
the publisher is the collectivité, with its SIREN as ``dct:identifier``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Min
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from odl.publishing import services
from odl.publishing.models import LICENCE_URLS, Dataset, Frequency
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

    rdflib needs about a second of CPU for a page of 100 datasets on a loaded machine: the key follows
    the count, the highest id and the last modification of the public datasets, so any change renews it.
    """
    from django.core.cache import cache
    from django.db.models import Count, Max

    state = Dataset.objects.published().aggregate(count=Count("pk"), top=Max("pk"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    key = f"publishing-dcat-{fmt}-{page}-{PAGE_SIZE}-{state['count']}-{state['top']}-{last}-{_site()}"
    body = cache.get(key)
    if body is None:
        body = serialise(build(fmt, page), fmt)
        cache.set(key, body, 3600)
    return bytes(body)


def build(fmt: str, page: int) -> CataloguePage:
    """One page of the catalogue (``page`` from 1); a page past the last one is empty but well-formed."""
    site = _site()
    published = Dataset.objects.published()
    total = published.count()
    last = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    rows = list(
        published.select_related("latest", "etd__territory")
        .annotate(first_published=Min("versions__created_at"))
        .order_by("pk")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    )
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("hydra", HYDRA)):
        graph.bind(prefix, namespace)
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
    schemas: dict[str, tuple[URIRef | None, list[str]]] = {}
    for dataset in rows:
        node = _dataset(graph, dataset, site, schemas)
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
    return CataloguePage(graph, total, page, last)


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
    graph: Graph, dataset: Any, site: str, schemas: dict[str, tuple[URIRef | None, list[str]]]
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
