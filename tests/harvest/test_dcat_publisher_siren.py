"""A DCAT publisher's SIREN (dct:identifier, an ADMS identifier, its company directory IRI) is read, so
the collectivité is matched by it and not by its name alone."""

from __future__ import annotations

from odl.harvest.harvesters.dcat import items_from_graph, parse_graph

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def publisher_of(turtle: str) -> tuple[str, str, str]:
    graph = parse_graph((PREFIXES + turtle).encode(), "turtle", "")
    [item] = items_from_graph(graph).items
    assert item.publisher is not None
    return item.publisher.remote_id, item.publisher.name, item.publisher.business_number


def test_the_siren_given_as_the_publisher_identifier_is_its_business_number() -> None:
    remote_id, name, number = publisher_of(
        """<https://odl.example.fr/donnees/1/> a dcat:Dataset ; dct:title "Subventions" ;
            dct:publisher <https://annuaire-entreprises.data.gouv.fr/entreprise/213502388> .
        <https://annuaire-entreprises.data.gouv.fr/entreprise/213502388> a foaf:Agent ;
            foaf:name "Rennes" ; dct:identifier "213502388" ."""
    )
    assert (name, number) == ("Rennes", "213502388")
    assert remote_id == "https://annuaire-entreprises.data.gouv.fr/entreprise/213502388"


def test_a_blank_node_publisher_with_an_adms_identifier_or_a_siret_with_spaces() -> None:
    _, _, number = publisher_of(
        """<https://x.fr/d/1> a dcat:Dataset ; dct:title "A" ;
            dct:publisher [ a foaf:Organization ; foaf:name "Ville de Rennes" ;
                adms:identifier [ skos:notation "213 502 388 00019" ] ] ."""
    )
    assert number == "21350238800019"


def test_the_directory_iri_alone_gives_the_siren_and_a_bad_number_is_ignored() -> None:
    _, _, number = publisher_of(
        """<https://x.fr/d/1> a dcat:Dataset ; dct:title "A" ;
            dct:publisher <https://annuaire-entreprises.data.gouv.fr/entreprise/213502388> ."""
    )
    assert number == "213502388"
    _, name, number = publisher_of(
        """<https://x.fr/d/1> a dcat:Dataset ; dct:title "A" ;
            dct:publisher [ foaf:name "Rennes" ; dct:identifier "123456789" ] ."""
    )
    assert (name, number) == ("Rennes", "")  # not a valid SIREN (checksum): not trusted
