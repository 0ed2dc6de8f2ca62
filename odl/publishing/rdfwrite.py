"""Fast writers of RDF triples in Turtle, RDF/XML and JSON-LD, one subject after another.

rdflib's serialisers look at the whole graph before writing (references, lists, sorted subjects, a
qualified name for every term): about a second for a catalogue page of 100 datasets on a loaded machine.
These writers take the triples as they come, grouped by subject, and write each group on its own, so a
group can be written once and kept (``odl.publishing.dcat`` keeps each dataset's). They write the same
triples as rdflib would; ``tests/publishing/test_dcat.py`` reads every syntax back with rdflib and
compares the graphs.

The pieces of one document: ``head(fmt, prefixes)``, any number of ``fragment(fmt, triples, prefixes)``
and ``tail(fmt)``, joined by ``join(fmt, parts)`` (JSON-LD needs commas between the pieces).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from xml.sax.saxutils import escape as _xml_escape

import orjson
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
FORMATS = ("ttl", "rdf", "jsonld")

_TURTLE_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# Turtle strings and IRIs: what must be escaped (the rest of Unicode is written as it is).
_TURTLE_STRING = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_TURTLE_STRING.update({c: f"\\u{c:04X}" for c in range(0x20) if c not in _TURTLE_STRING})
_TURTLE_IRI = {ord(c): f"\\u{ord(c):04X}" for c in '<>"{}|^`\\ '}
_TURTLE_IRI.update({c: f"\\u{c:04X}" for c in range(0x21)})
_XML_TEXT = {"\r": "&#13;"}
_XML_ATTR = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _group(triples: Iterable[Triple]) -> dict[Node, dict[Node, list[Node]]]:
    """Subject → predicate → objects, in the order they came, each triple once."""
    subjects: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        objects = subjects.setdefault(s, {}).setdefault(p, [])
        if o not in objects:
            objects.append(o)
    return subjects


def _split(uri: str, prefixes: dict[str, str], name: re.Pattern[str]) -> tuple[str, str] | None:
    """(prefix, local name) when ``uri`` is in a known namespace with a plain local name."""
    for prefix, namespace in prefixes.items():
        if uri.startswith(namespace):
            local = uri[len(namespace) :]
            if name.fullmatch(local):
                return prefix, local
    return None


# --- Turtle ---------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _turtle_iri(uri: str, prefixes: tuple[tuple[str, str], ...]) -> str:
    """An IRI as Turtle writes it: a prefixed name when it can be, else between angle brackets."""
    qname = _split(uri, dict(prefixes), _TURTLE_LOCAL)
    if qname is not None:
        return f"{qname[0]}:{qname[1]}"
    return f"<{uri.translate(_TURTLE_IRI)}>"


def _turtle_term(term: Node, prefixes: dict[str, str]) -> str:
    if isinstance(term, URIRef):
        # The same predicates, types and licences come back in every dataset: each is worked out once.
        return _turtle_iri(str(term), tuple(prefixes.items()))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_TURTLE_STRING)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^{_turtle_term(term.datatype, prefixes)}"
        return text
    raise TypeError(f"terme RDF inattendu : {term!r}")


def _turtle(triples: Iterable[Triple], prefixes: dict[str, str]) -> str:
    out = []
    keyed = tuple(prefixes.items())

    def term(node: Node) -> str:
        if isinstance(node, URIRef):
            return _turtle_iri(str(node), keyed)
        return _turtle_term(node, prefixes)

    for subject, predicates in _group(triples).items():
        lines = []
        for predicate in sorted(predicates, key=lambda p: p != RDF.type):
            objects = " ,\n        ".join(term(o) for o in predicates[predicate])
            lines.append(f"    {'a' if predicate == RDF.type else term(predicate)} {objects}")
        out.append(f"{_turtle_term(subject, prefixes)}\n" + " ;\n".join(lines) + " .\n\n")
    return "".join(out)


# --- RDF/XML --------------------------------------------------------------------------------------------------


def _attr(value: str) -> str:
    return '"' + _xml_escape(value, _XML_ATTR) + '"'


@lru_cache(maxsize=4096)
def _xml_tag(uri: str, prefixes: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """A predicate's element name, and the namespace to declare on it when the document has none."""
    qname = _split(uri, dict(prefixes), _XML_NAME)
    if qname is not None:
        return f"{qname[0]}:{qname[1]}", ""
    match = re.search(r"[A-Za-z_][A-Za-z0-9_.\-]*$", uri)
    if match is None or match.start() == 0:
        raise ValueError(f"prédicat impossible à écrire en RDF/XML : {uri}")
    return f"ns0:{match.group(0)}", f" xmlns:ns0={_attr(uri[: match.start()])}"


def _xml(triples: Iterable[Triple], prefixes: dict[str, str]) -> str:
    out = []
    keyed = tuple(prefixes.items())
    for subject, predicates in _group(triples).items():
        if isinstance(subject, BNode):
            out.append(f"  <rdf:Description rdf:nodeID={_attr(str(subject))}>\n")
        else:
            out.append(f"  <rdf:Description rdf:about={_attr(str(subject))}>\n")
        for predicate, objects in predicates.items():
            tag, declare = _xml_tag(str(predicate), keyed)
            for o in objects:
                if isinstance(o, URIRef):
                    out.append(f"    <{tag}{declare} rdf:resource={_attr(str(o))}/>\n")
                elif isinstance(o, BNode):
                    out.append(f"    <{tag}{declare} rdf:nodeID={_attr(str(o))}/>\n")
                elif isinstance(o, Literal):
                    extra = ""
                    if o.language:
                        extra = f" xml:lang={_attr(o.language)}"
                    elif o.datatype is not None and o.datatype != XSD.string:
                        extra = f" rdf:datatype={_attr(str(o.datatype))}"
                    out.append(f"    <{tag}{declare}{extra}>{_xml_escape(str(o), _XML_TEXT)}</{tag}>\n")
                else:
                    raise TypeError(f"terme RDF inattendu : {o!r}")
        out.append("  </rdf:Description>\n")
    return "".join(out)


# --- JSON-LD (flattened, full IRIs, as rdflib writes it without a context) ---------------------------------------


def _jsonld_value(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"@id": str(term)}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    if isinstance(term, Literal):
        value = {"@value": str(term)}
        if term.language:
            value["@language"] = term.language
        elif term.datatype is not None and term.datatype != XSD.string:
            value["@type"] = str(term.datatype)
        return value
    raise TypeError(f"terme RDF inattendu : {term!r}")


def _jsonld(triples: Iterable[Triple]) -> str:
    nodes = []
    for subject, predicates in _group(triples).items():
        node: dict[str, object] = {"@id": _jsonld_value(subject)["@id"]}
        for predicate, objects in predicates.items():
            if predicate == RDF.type and all(isinstance(o, URIRef) for o in objects):
                node["@type"] = [_jsonld_value(o)["@id"] for o in objects]
            else:
                node[str(predicate)] = [_jsonld_value(o) for o in objects]
        nodes.append(orjson.dumps(node).decode())
    return ",\n".join(nodes)


# --- Documents ------------------------------------------------------------------------------------------------


def fragment(fmt: str, triples: Iterable[Triple], prefixes: dict[str, str]) -> str:
    """The triples as a piece of a document of ``fmt`` whose head declares ``prefixes``."""
    if fmt == "ttl":
        return _turtle(triples, prefixes)
    if fmt == "rdf":
        return _xml(triples, prefixes)
    if fmt == "jsonld":
        return _jsonld(triples)
    raise ValueError(f"format inconnu : {fmt}")


def head(fmt: str, prefixes: dict[str, str]) -> str:
    if fmt == "ttl":
        return "".join(f"@prefix {p}: <{ns.translate(_TURTLE_IRI)}> .\n" for p, ns in prefixes.items()) + "\n"
    if fmt == "rdf":
        declared = "".join(f"\n   xmlns:{p}={_attr(ns)}" for p, ns in prefixes.items())
        return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{declared}\n>\n'
    if fmt == "jsonld":
        return "[\n"
    raise ValueError(f"format inconnu : {fmt}")


def tail(fmt: str) -> str:
    return {"ttl": "", "rdf": "</rdf:RDF>\n", "jsonld": "\n]\n"}[fmt]


def join(fmt: str, parts: Sequence[str]) -> str:
    """Head, the fragments (empty ones left out) and the tail, as one document."""
    pieces = [p for p in parts if p]
    return (",\n" if fmt == "jsonld" else "").join(pieces)


def document(fmt: str, fragments: Sequence[str], prefixes: dict[str, str]) -> bytes:
    """A whole document from its fragments, UTF-8."""
    return (head(fmt, prefixes) + join(fmt, fragments) + tail(fmt)).encode("utf-8")
