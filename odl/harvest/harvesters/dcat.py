"""Any DCAT catalogue: RDF/XML, Turtle, JSON-LD (with Hydra paging) and DCAT-US ``data.json`` (ArcGIS Hub).

The platform's own catalogue (the ``publishing`` app's DCAT export) is harvested through this module too.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS

from odl.core.identifiers import clean_number, is_valid_siren
from odl.core.text import fold
from odl.harvest.harvesters.base import Harvester, register
from odl.harvest.harvesters.cleaning import (
    MAX_DESCRIPTION,
    MAX_RESOURCES,
    MAX_TITLE,
    clean_text,
    format_name,
    normalise_license,
    parse_when,
    split_keywords,
    uri_key,
)
from odl.harvest.harvesters.client import ServiceClient
from odl.harvest.harvesters.errors import HarvestError
from odl.harvest.harvesters.items import HarvestedItem, Page, PublisherRef
from odl.harvest.harvesters.scdl import normalise_schema_name

# rdflib logs every odd literal (dates like "2019") at WARNING: harvested data is odd, that is expected.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
NTRIPLES_TYPES = ("application/n-triples", "text/n-triples", "text/plain+ntriples")
TURTLE_TYPES = ("text/turtle", "application/x-turtle", "text/n3")
# « <subject> <predicate> … » : one triple per line, not an XML element.
_NTRIPLE = re.compile(rb"<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>\s+<")
ARCGIS_HOSTS = ("arcgis.com", "hub.arcgis.com")
ADMS = Namespace("http://www.w3.org/ns/adms#")
# An organisation's page in the French company directory names its SIREN (or an establishment's SIRET).
_DIRECTORY_IRI = re.compile(
    r"^https?://(?:annuaire-entreprises\.data\.gouv\.fr/(?:entreprise|etablissement)"
    r"|(?:data\.)?siren\.data\.gouv\.fr/(?:siren|siret)|entreprise\.data\.gouv\.fr/etablissement)"
    r"/([0-9 ]{9,17})/?$"
)
ACCEPT = (
    "application/rdf+xml, text/turtle;q=0.9, application/ld+json;q=0.9, application/json;q=0.8, */*;q=0.1"
)


class DcatClient(ServiceClient):
    """Fetches catalogue pages; the URLs come from the source and from the catalogue's own paging links."""

    service_name = "DCAT"

    def fetch(self, url: str) -> tuple[bytes, str]:
        response = self.get(url, accept=ACCEPT)
        return response.content, response.headers.get("content-type", "").split(";")[0].strip().lower()


def sniff_format(content: bytes, content_type: str) -> str:
    """rdflib's format name, ``data.json`` for DCAT-US, or a French HarvestError for an unknown dialect."""
    head = content.lstrip()[:2000]
    # The content type first: an N-Triples line starts with « < » like XML, and Turtle may too.
    if content_type in NTRIPLES_TYPES:
        return "nt"
    if content_type in TURTLE_TYPES and not head.startswith((b"{", b"[")):
        return "turtle"
    if head.startswith((b"{", b"[")):
        try:
            document = json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise HarvestError("DCAT : le catalogue annonce du JSON mais n'est pas du JSON valide") from exc
        if isinstance(document, dict) and isinstance(document.get("dataset"), list):
            return "data.json"
        remote = remote_context(document)
        if remote:
            # rdflib would fetch it: never let a harvest reach a host nobody declared.
            raise HarvestError(
                f"DCAT : ce JSON-LD dépend d'un contexte distant ({remote[:200]}) que la plateforme ne "
                "télécharge pas ; fournissez un JSON-LD développé ou dont les contextes sont intégrés"
            )
        if not _mentions_dcat(content):
            raise HarvestError("DCAT : ce JSON n'est ni du JSON-LD DCAT ni un catalogue data.json (DCAT-US)")
        return "json-ld"
    if head.startswith(b"<"):
        if b"GetRecordsResponse" in head or b"csw:" in head[:600]:
            raise HarvestError(
                "DCAT : cette adresse renvoie une réponse CSW (GeoNetwork), pas un catalogue DCAT ; "
                "utilisez le point d'accès DCAT du catalogue (souvent …/srv/api/records?_content_type=dcat)"
            )
        if b"<html" in head.lower() or b"<!doctype html" in head.lower():
            raise HarvestError("DCAT : cette adresse renvoie une page web (HTML), pas un catalogue DCAT")
        if _NTRIPLE.match(head):
            return "nt"
        if b"rdf:RDF" not in content[:20000] and b"22-rdf-syntax-ns" not in content[:20000]:
            raise HarvestError("DCAT : ce XML n'est pas du RDF/XML, dialecte DCAT inconnu")
        return "xml"
    if b"@prefix" in head or b"PREFIX" in head:
        return "turtle"
    if head.startswith(b"_:"):
        return "nt"
    raise HarvestError(
        f"DCAT : format du catalogue non reconnu (type annoncé : {content_type or 'aucun'}) ; "
        "formats acceptés : RDF/XML, Turtle, JSON-LD, data.json"
    )


def remote_context(document: Any) -> str:
    """The first context of ``document`` that is not inline (a URL to fetch), or "".

    Any depth counts: the document's ``@context``, nested nodes', scoped contexts inside term
    definitions, lists of contexts and ``@import``. Walked without recursion (a deeply nested
    document must not exhaust the stack).
    """
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key == "@import":
                return str(value) if isinstance(value, str) else "@import"
            if key == "@context":
                for context in value if isinstance(value, list) else [value]:
                    if context is not None and not isinstance(context, dict):
                        return str(context)
            stack.append(value)
    return ""


class _Prologue(Exception):
    """The root element started: the prologue, where a DTD would be, has been read."""


def refuse_dtd(content: bytes) -> None:
    """RDF/XML with a DTD is refused before rdflib reads it: no entity is ever expanded.

    A catalogue has no use for a DTD, and an entity declaration is how a 1 KB "billion laughs" file
    pins a worker. A DTD may only stand before the root element, so expat reads the prologue (in any
    encoding the file declares) and stops at the first element: this check costs nothing more.
    """
    parser = expat.ParserCreate()

    def refuse(*_args: Any) -> None:
        raise HarvestError(
            "DCAT : ce RDF/XML déclare une DTD ou des entités, que la plateforme refuse de lire "
            "(risque d'expansion d'entités) ; publiez le catalogue sans <!DOCTYPE>"
        )

    def root(*_args: Any) -> None:
        raise _Prologue

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = root
    try:
        parser.Parse(content, True)
    except _Prologue:
        return
    except expat.ExpatError as exc:
        raise HarvestError(f"DCAT : catalogue illisible (xml) : {str(exc)[:200]}") from exc


def parse_graph(content: bytes, fmt: str, url: str) -> Graph:
    """The RDF graph of one catalogue page, read with no DTD, no entity and no remote context."""
    if fmt == "xml":
        refuse_dtd(content)
    graph = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib's own JSON-LD parser still uses its deprecated ConjunctiveGraph.
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=content, format=fmt, publicID=url)
    except Exception as exc:  # rdflib raises many parser-specific exception types
        raise HarvestError(f"DCAT : catalogue illisible ({fmt}) : {str(exc)[:200]}") from exc
    return graph


def _mentions_dcat(content: bytes) -> bool:
    return b"dcat" in content.lower()


def _text(graph: Graph, subject: Any, *predicates: URIRef) -> str:
    """The French value when there is one, else any value."""
    fallback = ""
    for predicate in predicates:
        for value in graph.objects(subject, predicate):
            if isinstance(value, Literal):
                if value.language in ("fr", "fre"):
                    return str(value)
                fallback = fallback or str(value)
            elif isinstance(value, URIRef) and not fallback:
                fallback = str(value)
    return fallback


NAME_PREDICATES = (FOAF.name, SKOS.prefLabel, RDFS.label, DCTERMS.title, VCARD["organization-name"], VCARD.fn)


def _label(graph: Graph, node: Any) -> str:
    """A node's name from the graph (French first), never an IRI nor an e-mail address."""
    for predicate in NAME_PREDICATES:
        names = [
            (value.language not in ("fr", "fre"), clean_text(str(value), 500))
            for value in graph.objects(node, predicate)
            if isinstance(value, Literal) and not looks_like_email(str(value))
        ]
        names = [name for name in names if name[1]]
        if names:
            return min(names)[1]
    return ""


def looks_like_email(text: str) -> bool:
    text = text.strip().lower()
    return text.startswith("mailto:") or (" " not in text and "@" in text)


def readable_iri(iri: str) -> str:
    """A name to show for an organisation known only by its IRI: its last meaningful path segment."""
    parts = urlsplit(iri)
    # A route fragment (GeoNetwork's « #/metadata//organizations/OSU%20OREME ») comes last.
    segments = [*parts.path.split("/"), *parts.fragment.split("/")]
    for segment in reversed([unquote(p) for p in segments if p]):
        words = re.sub(r"[-_+]+", " ", segment).strip()
        # An id (uuid, number) tells a person nothing: the next segment up, or the host.
        if words and not re.fullmatch(r"[0-9a-f]{8}( ?[0-9a-f]{4}){3} ?[0-9a-f]{12}|[0-9 ]+", words.lower()):
            return clean_text(words, 500)
    return parts.hostname or iri[:500]


def _siren_number(value: str) -> str:
    """``value`` as a SIREN or SIRET (digits only) when it is a valid one, else ""."""
    digits = clean_number(value)
    if digits.isdigit() and len(digits) in (9, 14) and is_valid_siren(digits[:9]):
        return digits
    return ""


def business_number(graph: Graph, node: Any) -> str:
    """The SIREN or SIRET an organisation node declares: its dct:identifier (or an ADMS identifier's
    notation), else the company directory page its IRI is. The platform's own catalogue, like other
    French DCAT-AP exports, gives the collectivité's SIREN this way: matching by it is exact, where the
    name alone (« Rennes ») may be a commune, its EPCI or a homonym."""
    if isinstance(node, Literal):
        return ""
    for value in graph.objects(node, DCTERMS.identifier):
        if isinstance(value, Literal) and (number := _siren_number(str(value))):
            return number
    for identifier in graph.objects(node, ADMS.identifier):
        for value in graph.objects(identifier, SKOS.notation):
            if isinstance(value, Literal) and (number := _siren_number(str(value))):
                return number
    if isinstance(node, URIRef) and (found := _DIRECTORY_IRI.match(str(node))):
        return _siren_number(found.group(1))
    return ""


def _publisher(graph: Graph, dataset: Any) -> PublisherRef | None:
    """dct:publisher, else dct:creator, else the contact point's organisation (never its e-mail)."""
    for predicate in (DCTERMS.publisher, DCTERMS.creator, DCAT.contactPoint):
        for node in graph.objects(dataset, predicate):
            if isinstance(node, Literal):
                name = clean_text(str(node), 500)
                if name and not looks_like_email(name):
                    return PublisherRef(remote_id=f"name:{fold(name)}"[:300], name=name)
                continue
            name = _label(graph, node)
            number = business_number(graph, node)
            if isinstance(node, URIRef) and not looks_like_email(str(node)):
                if predicate == DCAT.contactPoint and not name:
                    continue
                # An IRI without a name anywhere in the graph is still an identity: kept, shown readably.
                return PublisherRef(
                    remote_id=str(node)[:300], name=name or readable_iri(str(node)), business_number=number
                )
            if name:
                return PublisherRef(remote_id=f"name:{fold(name)}"[:300], name=name, business_number=number)
    return None


def _format(graph: Graph, distribution: Any) -> str:
    """dct:format, else dcat:mediaType: a label, a media type or a vocabulary URI (its label first)."""
    for predicate in (DCTERMS.format, DCAT.mediaType):
        for node in graph.objects(distribution, predicate):
            if isinstance(node, Literal):
                name = format_name(str(node))
            else:
                label = _text(graph, node, RDFS.label, SKOS.prefLabel, RDF.value, DCTERMS.title)
                name = format_name(label) or (format_name(str(node)) if isinstance(node, URIRef) else "")
            if name:
                return name
    return ""


def _schema(graph: Graph, distribution: Any) -> str | None:
    """The schema a distribution declares (dct:conformsTo), the SCDL one first when there are several."""
    declared = sorted(
        str(n) for n in graph.objects(distribution, DCTERMS.conformsTo) if isinstance(n, URIRef)
    )
    for uri in declared:
        if normalise_schema_name(uri):
            return uri
    return declared[0] if declared else None


def _license(graph: Graph, dataset: Any, distributions: list[Any]) -> str:
    for subject in [dataset, *distributions]:
        for node in graph.objects(subject, DCTERMS.license):
            if isinstance(node, BNode) and not _text(graph, node, DCTERMS.title, RDF.value, SKOS.prefLabel):
                continue
            label = (
                _text(graph, node, DCTERMS.title, RDF.value, SKOS.prefLabel)
                if not isinstance(node, Literal)
                else ""
            )
            return normalise_license(label or str(node))
        for node in graph.objects(subject, DCTERMS.rights):
            return normalise_license(
                str(node) if isinstance(node, Literal) else _text(graph, node, DCTERMS.title)
            )
    return ""


class RdfRecord(NamedTuple):
    """A dcat:Dataset node and the graph that describes it: one record of an RDF catalogue."""

    graph: Graph
    node: Any


def items_from_graph(graph: Graph) -> Page:
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    page = Page(items=[], records=len(datasets))
    for dataset in datasets:
        try:
            page.items.append(rdf_item(RdfRecord(graph, dataset)))
        except ValueError as exc:
            page.failures.append({"remote_id": str(dataset), "error": str(exc)})
    return page


def rdf_item(record: RdfRecord) -> HarvestedItem:
    graph, dataset = record
    identifier = _text(graph, dataset, DCTERMS.identifier)
    if isinstance(dataset, URIRef):
        remote_id = str(dataset)
    elif identifier:
        remote_id = identifier
    else:
        raise ValueError("jeu de données DCAT sans URI ni dct:identifier")
    distributions = list(graph.objects(dataset, DCAT.distribution))[:MAX_RESOURCES]
    landing = _text(graph, dataset, DCAT.landingPage)
    conforms = [
        str(node)
        for subject in [dataset, *distributions]
        for node in graph.objects(subject, DCTERMS.conformsTo)
        if not isinstance(node, BNode)
    ]
    key_source = identifier if identifier.startswith(("http://", "https://")) else remote_id
    return HarvestedItem(
        remote_id=remote_id[:300],
        title=clean_text(_text(graph, dataset, DCTERMS.title), MAX_TITLE) or "(sans titre)",
        url=clean_text(landing or (remote_id if remote_id.startswith("http") else ""), 1000),
        description=clean_text(_text(graph, dataset, DCTERMS.description), MAX_DESCRIPTION),
        publisher=_publisher(graph, dataset),
        license=_license(graph, dataset, distributions),
        created=parse_when(_text(graph, dataset, DCTERMS.issued)),
        modified=parse_when(_text(graph, dataset, DCTERMS.modified)),
        tags=sorted(split_keywords([str(k) for k in graph.objects(dataset, DCAT.keyword)])),
        resources=[
            {
                "title": clean_text(_text(graph, d, DCTERMS.title), 300),
                "url": clean_text(_text(graph, d, DCAT.downloadURL, DCAT.accessURL), 1000),
                "format": _format(graph, d),
                "schema": _schema(graph, d),
            }
            for d in distributions
        ],
        declared_schemas=sorted(set(conforms)),
        own_key=uri_key(key_source) if key_source.startswith(("http://", "https://")) else "",
    )


def items_from_data_json(document: dict[str, Any]) -> Page:
    """DCAT-US 1.1 (``data.json``), as ArcGIS Hub portals of French cities publish it."""
    entries = document.get("dataset") or []
    page = Page(items=[], records=len(entries))
    for entry in entries:
        try:
            item = data_json_item(entry)
        except ValueError as exc:
            page.failures.append({"remote_id": "", "error": str(exc)})
            continue
        if item is not None:
            page.items.append(item)
    return page


def data_json_item(entry: Any) -> HarvestedItem | None:
    """One ``dataset`` entry of a data.json catalogue; None for an entry that is not an object."""
    if not isinstance(entry, dict):
        return None
    identifier = str(entry.get("identifier") or "")
    if not identifier:
        raise ValueError("jeu de données data.json sans « identifier »")
    publisher = entry.get("publisher") if isinstance(entry.get("publisher"), dict) else {}
    name = clean_text((publisher or {}).get("name"), 500)
    distributions = [d for d in entry.get("distribution") or [] if isinstance(d, dict)][:MAX_RESOURCES]
    return HarvestedItem(
        remote_id=identifier[:300],
        title=clean_text(entry.get("title"), MAX_TITLE) or "(sans titre)",
        url=clean_text(entry.get("landingPage") or identifier, 1000),
        description=clean_text(entry.get("description"), MAX_DESCRIPTION),
        publisher=PublisherRef(remote_id=f"name:{fold(name)}"[:300], name=name) if name else None,
        license=normalise_license(entry.get("license")),
        created=parse_when(entry.get("issued")),
        modified=parse_when(entry.get("modified")),
        tags=split_keywords(entry.get("keyword")),
        resources=[
            {
                "title": clean_text(d.get("title"), 300),
                "url": clean_text(d.get("downloadURL") or d.get("accessURL"), 1000),
                "format": format_name(d.get("format")) or format_name(d.get("mediaType")),
                "schema": str(d["conformsTo"]) if isinstance(d.get("conformsTo"), str) else None,
            }
            for d in distributions
        ],
        declared_schemas=[str(entry["conformsTo"])] if isinstance(entry.get("conformsTo"), str) else [],
        own_key=uri_key(identifier) if identifier.startswith("http") else "",
    )


def next_page_url(graph: Graph) -> str:
    for predicate in (HYDRA.nextPage, HYDRA.next):
        for value in graph.objects(None, predicate):
            return str(value)
    return ""


def total_items(graph: Graph) -> int | None:
    for value in graph.objects(None, HYDRA.totalItems):
        try:
            return int(str(value))
        except ValueError:
            return None
    return None


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _on_arcgis(url: Any) -> bool:
    host = (urlsplit(url).hostname or "").lower() if isinstance(url, str) else ""
    return any(host == h or host.endswith("." + h) for h in ARCGIS_HOSTS)


def data_json_technology(url: str, document: dict[str, Any]) -> str:
    """« ArcGIS Hub (data.json) » only for a data.json an ArcGIS Hub serves (its address or its
    datasets' pages on arcgis.com); any other DCAT-US catalogue is « DCAT-US (data.json) »."""
    entries = [e for e in document.get("dataset") or [] if isinstance(e, dict)][:20]
    if _on_arcgis(url) or any(_on_arcgis(e.get("landingPage")) for e in entries):
        return "ArcGIS Hub (data.json)"
    return "DCAT-US (data.json)"


@register
class DcatHarvester(Harvester):
    kind = "dcat"
    client: DcatClient
    technology = "DCAT"
    label = "Catalogue DCAT"
    url_help = "Adresse du catalogue DCAT (RDF/XML, Turtle, JSON-LD avec pagination Hydra, ou data.json)"

    def __init__(self, url: str, filters: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(url, filters, **kwargs)
        self.client = DcatClient(self.url, http=self._http)
        self.technology_hint = ""

    @classmethod
    def declared_technology(cls) -> str:
        # A DCAT address may turn out to be an ArcGIS Hub data.json: the first harvest says which.
        return ""

    def item(self, record: RdfRecord | dict[str, Any]) -> HarvestedItem | None:
        """A dcat:Dataset of an RDF catalogue, or an entry of a data.json one."""
        return rdf_item(record) if isinstance(record, RdfRecord) else data_json_item(record)

    def pages(self) -> Iterator[Page]:
        url = self.url
        seen_urls = {url}
        count = 0
        tags = set(self.filter_tags())
        publisher_filter = fold(str(self.filters.get("publisher") or self.filters.get("editeur") or ""))
        read = 0
        while True:
            content, content_type = self.client.fetch(url)
            fmt = sniff_format(content, content_type)
            count += 1
            if fmt == "data.json":
                document = json.loads(content)
                self.technology_hint = data_json_technology(url, document)
                page = items_from_data_json(document)
                next_url = ""
            else:
                graph = parse_graph(content, fmt, url)
                if not any(True for _ in graph.subjects(RDF.type, DCAT.Dataset)) and count == 1:
                    if not any(True for _ in graph.subjects(RDF.type, DCAT.Catalog)):
                        raise HarvestError("DCAT : aucun dcat:Catalog ni dcat:Dataset dans cette réponse")
                page = items_from_graph(graph)
                page.total = total_items(graph)
                if count == 1:
                    self.announce(page.total)
                next_url = next_page_url(graph)
            read += page.records
            if next_url and not page.records:
                # An empty page that still points further: the catalogue stopped answering mid-way.
                self.fall_short(
                    f"DCAT : page vide après {read} jeux alors que le catalogue annonce une page suivante"
                    + (f" et {page.total} jeux" if page.total is not None else "")
                )
                next_url = ""
            if tags:
                page.items = [i for i in page.items if tags.intersection(i.tags)]
            if publisher_filter:
                page.items = [
                    i for i in page.items if i.publisher and fold(i.publisher.name) == publisher_filter
                ]
            yield page
            if not next_url:
                break
            if origin(next_url) != origin(self.url):
                # Paging links come from the catalogue: never let one send the harvest to another site.
                raise HarvestError(
                    f"DCAT : la page suivante pointe hors du site du catalogue ({next_url[:200]})"
                )
            self.guard_pages(count, seen_urls, next_url)
            url = next_url
