"""The DCAT-AP catalogue: three syntaxes, Hydra paging, schema, licence, frequency, publisher's SIREN;
read back by the platform's own DCAT harvester, which recognises the SCDL schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from odl.harvest.harvesters.dcat import (
    items_from_graph,
    next_page_url,
    parse_graph,
    sniff_format,
    total_items,
)
from odl.harvest.harvesters.scdl import detect_schemas
from odl.programme.models import Etd
from odl.publishing import dcat
from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

pytestmark = pytest.mark.django_db
TABLE = (",".join(SUB_HEADER) + "\n" + ",".join(f'"{v}"' for v in SUB_GOOD) + "\n").encode()


def _published(etd: Etd, count: int) -> list[Dataset]:
    made = []
    for i in range(count):
        dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title=f"Subventions {i}")
        publish(dataset, TABLE, known("subventions"), by=None, valid=True)
        made.append(dataset)
    return made


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_each_syntax_describes_the_dataset_and_is_harvestable_here(etd: Etd, fmt: str, settings: Any) -> None:
    settings.SITE_URL = "https://odl.example.fr"
    [dataset] = _published(etd, 1)
    Dataset.objects.create(etd=etd, schema_name="subventions", title="Pas encore publié")
    response = Client().get(f"/donnees/catalogue.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(dcat.CONTENT_TYPES[fmt])
    graph = parse_graph(response.content, sniff_format(response.content, dcat.CONTENT_TYPES[fmt]), "")
    node = URIRef(f"https://odl.example.fr/donnees/{dataset.pk}/")
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {node}
    distributions = set(graph.objects(node, DCAT.distribution))
    assert URIRef(f"https://odl.example.fr/donnees/{dataset.pk}/dernier.csv") in distributions
    for distribution in distributions:
        assert graph.value(distribution, DCTERMS.conformsTo) == URIRef(
            "https://schema.data.gouv.fr/scdl/subventions/2.1.1/schema.json"
        )
    publisher = graph.value(node, DCTERMS.publisher)
    assert str(graph.value(publisher, DCTERMS.identifier)) == etd.territory.siren
    assert str(graph.value(node, DCTERMS.accrualPeriodicity)).endswith("/frequency/ANNUAL")
    assert graph.value(node, DCTERMS.license) == URIRef(
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )
    [item] = items_from_graph(graph).items
    assert item.title == "Subventions 0" and item.publisher is not None and item.publisher.name == "Rennes"
    assert detect_schemas(item) == ["scdl/subventions"]


def test_the_catalogue_is_paged_with_hydra(etd: Etd, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.SITE_URL = "https://odl.example.fr"
    monkeypatch.setattr(dcat, "PAGE_SIZE", 2)
    _published(etd, 5)
    seen: set[str] = set()
    url = "/donnees/catalogue.ttl?page=1"
    pages = 0
    while url:
        body = Client().get(url).content
        graph = parse_graph(body, "turtle", "")
        assert total_items(graph) == 5
        seen |= {str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)}
        url = next_page_url(graph).replace("https://odl.example.fr", "")
        pages += 1
    assert pages == 3 and len(seen) == 5


def test_a_bad_page_or_format_gets_a_clear_answer(db: None) -> None:
    response = Client().get("/donnees/catalogue.ttl?page=zéro")
    assert response.status_code == 400 and "invalide" in response.content.decode()
    assert Client().get("/donnees/catalogue.csv").status_code == 404


def test_the_kept_page_is_renewed_when_a_dataset_changes(etd: Etd) -> None:
    [dataset] = _published(etd, 1)
    before = Client().get("/donnees/catalogue.ttl").content
    assert Client().get("/donnees/catalogue.ttl").content == before
    dataset.title = "Subventions renommées"
    dataset.save()
    assert b"Subventions renomm" in Client().get("/donnees/catalogue.ttl").content
    publish(dataset, TABLE, known("subventions"), by=None, valid=True)
    assert b'"2"' in Client().get("/donnees/catalogue.ttl").content  # owl:versionInfo of version 2


def _messy(etd: Etd) -> list[Dataset]:
    """Datasets whose text needs escaping in every syntax, one of a collectivité without SIREN."""
    from odl.territories.models import Territory

    made = _published(etd, 2)
    made[0].title = 'Subventions « 2024 » & <autres> "cités"'
    made[0].description = "Ligne 1\nLigne 2\r\n\ttabulée \\ barre, ]]> et 'apostrophe' : 100 % ✓"
    made[0].save()
    nameless = Territory.objects.create(kind="commune", code="35999", nom="Sans SIREN", siren="")
    other = Etd.objects.create(atd=etd.atd, territory=nameless)
    [third] = _published(other, 1)
    return [*made, third]


def _read(body: bytes, fmt: str) -> Any:
    return parse_graph(body, sniff_format(body, dcat.CONTENT_TYPES[fmt]), "")


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_the_fast_writer_writes_the_same_triples_as_rdflib(etd: Etd, fmt: str, settings: Any) -> None:
    from rdflib.compare import isomorphic

    settings.SITE_URL = "https://odl.example.fr"
    _messy(etd)
    expected = dcat.build(fmt, 1).graph
    graph = _read(dcat.write_page(fmt, 1), fmt)
    assert len(graph) == len(expected) and isomorphic(graph, expected)
    # The same from the kept fragments (the second writing reads them from the cache).
    assert isomorphic(_read(dcat.write_page(fmt, 1), fmt), expected)


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_a_kept_fragment_is_never_served_after_a_change(etd: Etd, fmt: str, settings: Any) -> None:
    from rdflib import Literal
    from rdflib.namespace import FOAF, OWL

    settings.SITE_URL = "https://odl.example.fr"
    first, second = _published(etd, 2)
    node = URIRef(f"https://odl.example.fr{first.get_absolute_url()}")

    def graph() -> Any:
        return _read(Client().get(f"/donnees/catalogue.{fmt}").content, fmt)

    assert graph().value(node, OWL.versionInfo) == Literal("1")
    publish(first, TABLE, known("subventions"), by=None, valid=True)
    assert graph().value(node, OWL.versionInfo) == Literal("2")
    first.description = "Nouvelle description"
    first.save()
    assert graph().value(node, DCTERMS.description) == Literal("Nouvelle description", lang="fr")
    # The collectivité renamed: once the page is written again (here for another dataset's change),
    # the kept fragment of a dataset that did not change is not reused, its publisher has the new name.
    territory = first.etd.territory
    territory.nom = "Rennes Métropole"
    territory.save()
    second.title = "Subventions bis"
    second.save()
    publisher = graph().value(node, DCTERMS.publisher)
    assert set(graph().objects(publisher, FOAF.name)) == {Literal("Rennes Métropole")}
    # Made private, then deleted: gone from the catalogue at once.
    first.public = False
    first.save()
    assert set(graph().subjects(RDF.type, DCAT.Dataset)) == {
        URIRef(f"https://odl.example.fr{second.get_absolute_url()}")
    }
    second.delete()
    assert set(graph().subjects(RDF.type, DCAT.Dataset)) == set()
