"""The fast RDF writer writes exactly the triples it is given, in each syntax, whatever their namespaces,
literals and blank nodes: read back by rdflib, the graph is the same."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from odl.harvest.harvesters.dcat import parse_graph, sniff_format
from odl.publishing import dcat, rdfwrite

VCARD = "http://www.w3.org/2006/vcard/ns#"


def _triples(fmt: str) -> list[rdfwrite.Triple]:
    node, contact = URIRef("https://odl.example.fr/donnees/1/"), BNode()
    return [
        (node, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")),
        (node, DCTERMS.title, Literal('Titre « guillemets » "doubles" & <balises>', lang="fr")),
        # XML 1.0 has no way to write a control character (rdflib's writer cannot either).
        (
            node,
            DCTERMS.description,
            Literal("ligne 1\nligne 2\r\n\ttab \\ ]]>" + ("" if fmt == "rdf" else " \x01"), lang="fr"),
        ),
        (
            node,
            DCTERMS.issued,
            Literal(dt.datetime(2024, 3, 12, 8, 30, tzinfo=dt.UTC), datatype=XSD.dateTime),
        ),
        (node, URIRef("http://www.w3.org/ns/hydra/core#totalItems"), Literal(12, datatype=XSD.integer)),
        (node, DCTERMS.identifier, Literal("plain")),
        # Namespaces the document does not declare (what a DCAT-AP property may bring).
        (node, URIRef(f"{VCARD}hasEmail"), URIRef("mailto:contact@example.fr")),
        (
            node,
            URIRef("http://data.europa.eu/r5r/applicableLegislation"),
            URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj"),
        ),
        (node, URIRef("http://www.w3.org/ns/dcat#contactPoint"), contact),
        (contact, RDF.type, URIRef(f"{VCARD}Organization")),
        (contact, URIRef(f"{VCARD}fn"), Literal("Mairie", datatype=URIRef("http://example.org/type#custom"))),
    ]


@pytest.mark.parametrize("fmt", rdfwrite.FORMATS)
def test_every_syntax_reads_back_as_the_same_graph(fmt: str) -> None:
    triples = _triples(fmt)
    expected = Graph()
    for triple in triples:
        expected.add(triple)
    half = len(triples) // 2
    body = rdfwrite.document(
        fmt,
        [
            rdfwrite.fragment(fmt, triples[:half], dcat.PREFIXES),
            rdfwrite.fragment(fmt, triples[half:], dcat.PREFIXES),
        ],
        dcat.PREFIXES,
    )
    graph = parse_graph(body, sniff_format(body, dcat.CONTENT_TYPES[fmt]), "")
    assert len(graph) == len(expected) and isomorphic(graph, expected)


def test_turtle_escapes_what_an_iri_may_not_hold() -> None:
    text = rdfwrite.fragment(
        "ttl", [(URIRef("https://odl.example.fr/a b>"), DCTERMS.title, Literal("x"))], {}
    )
    assert text.startswith("<https://odl.example.fr/a\\u0020b\\u003E>")
