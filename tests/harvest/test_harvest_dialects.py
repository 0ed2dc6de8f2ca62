"""Every field, every dialect: DCAT (N-Triples, publishers by IRI, vocabulary formats, old dates,
keywords, paging), Opendatasoft dates, CKAN landing pages and licences, data.json technology, SCDL
resources declared by dct:conformsTo, and the harvest commands' filters."""

from __future__ import annotations

import copy
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from harvest_replay import Replay, load, paged_ckan, paged_datagouv, paged_ods
from rdflib import Graph

from odl.harvest.harvesters.cleaning import normalise_license
from odl.harvest.harvesters.runner import run_source
from odl.harvest.management.commands.harvest_sources import Command as HarvestSources
from odl.harvest.models import HarvestedDataset, HarvestRun, HarvestSource
from odl.harvest.scdl_checks import targets

pytestmark = pytest.mark.django_db

SUBVENTIONS = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.0/schema.json"
DELIBERATIONS = "https://schema.data.gouv.fr/schemas/scdl/deliberations/2.1.5/schema.json"

CATALOG_TTL = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://data.gap.fr/catalogue> a dcat:Catalog ;
    dcat:dataset <https://data.gap.fr/jeux/cadastre>, <https://data.gap.fr/jeux/voirie>,
        <https://data.gap.fr/jeux/contact>, <https://data.gap.fr/jeux/subventions> .

<https://data.gap.fr/jeux/cadastre> a dcat:Dataset ;
    dct:title "Cadastre napoléonien"@fr ;
    dct:identifier "cadastre" ;
    dct:issued "1810-03-15"^^xsd:date ;
    dct:modified "2023-01-02T10:00:00"^^xsd:dateTime ;
    dct:publisher <https://data.gap.fr/organisations/ville-de-gap> ;
    dcat:keyword "cadastre, patrimoine; archives" ;
    dcat:distribution [ a dcat:Distribution ;
        dct:title "Plans" ;
        dcat:downloadURL <https://data.gap.fr/files/plans.csv> ;
        dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ] ,
      [ a dcat:Distribution ;
        dct:title "Tableau" ;
        dcat:downloadURL <https://data.gap.fr/files/tableau> ;
        dcat:mediaType <https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet> ] .

# The publisher's name is given elsewhere in the graph, on its own node.
<https://data.gap.fr/organisations/ville-de-gap> rdfs:label "Ville de Gap" .

<https://data.gap.fr/jeux/voirie> a dcat:Dataset ;
    dct:title "Voirie" ;
    dct:publisher <https://annuaire.example.fr/organisations/communaute-de-communes-du-champsaur/> ;
    dcat:keyword "voirie", "mobilité" .

<https://data.gap.fr/jeux/contact> a dcat:Dataset ;
    dct:title "Jeu sans éditeur" ;
    dcat:contactPoint [ a vcard:Kind ; vcard:fn "sig@gap.fr" ; vcard:hasEmail <mailto:sig@gap.fr> ] .

<https://data.gap.fr/jeux/subventions> a dcat:Dataset ;
    dct:title "Subventions et délibérations" ;
    dct:publisher <https://data.gap.fr/organisations/ville-de-gap> ;
    dcat:distribution [ a dcat:Distribution ;
        dct:title "Subventions 2023" ;
        dcat:downloadURL <https://data.gap.fr/files/subventions.csv> ;
        dct:format "CSV" ;
        dct:conformsTo <{SUBVENTIONS}> ] ,
      [ a dcat:Distribution ;
        dct:title "Délibérations 2023" ;
        dcat:downloadURL <https://data.gap.fr/files/deliberations.csv> ;
        dcat:mediaType <http://www.iana.org/assignments/media-types/text/csv> ;
        dct:conformsTo <{DELIBERATIONS}> ] ,
      [ a dcat:Distribution ;
        dct:title "Emprises" ;
        dcat:downloadURL <https://data.gap.fr/files/emprises.csv> ;
        dct:format "CSV" ;
        dct:conformsTo <http://www.opengis.net/def/crs/EPSG/0/2154> ] .
"""


def dataset(remote_id: str) -> HarvestedDataset:
    return HarvestedDataset.objects.get(remote_id=remote_id)


@pytest.fixture
def gap_catalog(replay: Replay) -> HarvestSource:
    replay.raw("/catalogue.ttl", CATALOG_TTL.encode(), "text/turtle")
    source = HarvestSource.objects.create(name="Gap", kind="dcat", url=replay.url("/catalogue.ttl"))
    run = run_source(source)
    assert (run.status, run.items_seen) == ("success", 4), run.message
    return source


def test_dcat_fields_publishers_formats_dates_keywords(gap_catalog: HarvestSource) -> None:
    cadastre = dataset("https://data.gap.fr/jeux/cadastre")
    assert cadastre.remote_created is not None and cadastre.remote_created.year == 1810
    assert sorted(cadastre.tags) == ["archives", "cadastre", "patrimoine"]
    assert sorted(r["format"] for r in cadastre.resources) == ["CSV", "XLSX"]
    # An IRI publisher named elsewhere in the graph.
    assert cadastre.publisher.remote_id == "https://data.gap.fr/organisations/ville-de-gap"
    assert cadastre.publisher.name == "Ville de Gap"
    # An IRI publisher named nowhere: kept as its identity, shown readably.
    voirie = dataset("https://data.gap.fr/jeux/voirie")
    assert voirie.publisher.remote_id.endswith("/communaute-de-communes-du-champsaur/")
    assert voirie.publisher.name == "communaute de communes du champsaur"
    assert sorted(voirie.tags) == ["mobilité", "voirie"]
    # A contact point's e-mail is never a publisher.
    assert dataset("https://data.gap.fr/jeux/contact").publisher is None


def test_n_triples_are_read_by_their_content_type(replay: Replay, harvest_data: Path) -> None:
    text = (harvest_data / "dcat/ckanext-dcat/dataset.ttl").read_text(encoding="utf-8")
    # The example uses a prefix it does not declare (as the sources test notes).
    text = "@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .\n" + text
    graph = Graph().parse(data=text, format="turtle")
    replay.raw("/catalogue.nt", graph.serialize(format="nt").encode(), "application/n-triples")
    run = run_source(HarvestSource.objects.create(name="nt", kind="dcat", url=replay.url("/catalogue.nt")))
    assert run.status == "success", run.message
    assert run.items_seen >= 1


def test_a_resource_declaring_an_scdl_schema_is_selected_for_the_checks(gap_catalog: HarvestSource) -> None:
    subventions = dataset("https://data.gap.fr/jeux/subventions")
    assert subventions.schemas == ["scdl/deliberations", "scdl/subventions"]
    chosen = {
        r["title"]: (schema, reason)
        for r, schema, reason in targets(subventions.schemas, subventions.resources)
    }
    # Two SCDL schemas in one dataset: each resource says its own, nothing is guessed.
    assert chosen["Subventions 2023"] == ("scdl/subventions", "")
    assert chosen["Délibérations 2023"] == ("scdl/deliberations", "")
    # A resource conforming to something else is not checked, and the reason is recorded.
    assert chosen["Emprises"][0] == ""
    assert "EPSG/0/2154" in chosen["Emprises"][1] and "hors SCDL" in chosen["Emprises"][1]


def test_hydra_paging_never_leaves_the_catalogue_site(replay: Replay) -> None:
    page = [
        {
            "@id": "http://data.test.org",
            "@type": ["http://www.w3.org/ns/dcat#Catalog"],
            "http://www.w3.org/ns/dcat#dataset": [{"@id": "http://data.test.org/datasets/1"}],
        },
        {
            "@id": replay.url("/catalogue-1"),
            "@type": ["http://www.w3.org/ns/hydra/core#PartialCollectionView"],
            "http://www.w3.org/ns/hydra/core#next": [{"@id": "http://autre-site.example/catalogue-2"}],
        },
        {
            "@id": "http://data.test.org/datasets/1",
            "@type": ["http://www.w3.org/ns/dcat#Dataset"],
            "http://purl.org/dc/terms/title": [{"@value": "Jeu 1"}],
        },
    ]
    replay.raw("/catalogue-1", json.dumps(page).encode(), "application/ld+json")
    run = run_source(HarvestSource.objects.create(name="h", kind="dcat", url=replay.url("/catalogue-1")))
    assert run.status == "failed"
    assert (
        "la page suivante pointe hors du site du catalogue (http://autre-site.example/catalogue-2)"
        in run.message
    )
    assert "autre-site.example" not in "".join(replay.hits)


def test_a_data_json_is_arcgis_hub_only_from_an_arcgis_hub(replay: Replay, harvest_data: Path) -> None:
    evian = load(harvest_data, "dcat/udata-tests/evian.json")
    replay.json("/evian.json", evian)
    hub = HarvestSource.objects.create(name="Evian", kind="dcat", url=replay.url("/evian.json"))
    assert run_source(hub).status == "success"
    plain = copy.deepcopy(evian)
    for entry in plain["dataset"]:
        entry["landingPage"] = "https://data.example-ville.fr/jeux/" + entry["identifier"][-8:]
    replay.json("/data.json", plain)
    other = HarvestSource.objects.create(name="DCAT-US", kind="dcat", url=replay.url("/data.json"))
    assert run_source(other).status == "success"
    hub.refresh_from_db()
    other.refresh_from_db()
    assert (hub.technology, other.technology) == ("ArcGIS Hub (data.json)", "DCAT-US (data.json)")


def test_opendatasoft_creation_date_is_never_data_processed(replay: Replay, harvest_data: Path) -> None:
    real = load(harvest_data, "opendatasoft/explore-v2.1-catalog-datasets.example.json")["results"][0]
    with_dcat = copy.deepcopy(real)
    with_dcat["dataset_id"] = "avec-dcat"
    with_dcat["metas"]["dcat"] = {"created": "2015-04-01T00:00:00+00:00", "issued": "2015-05-01"}
    without = copy.deepcopy(real)
    without["dataset_id"] = "sans-dcat"
    # data_processed (2019) is after modified (2021)? No: here it is later, as after a reprocessing.
    without["metas"]["default"]["data_processed"] = "2024-01-01T00:00:00+00:00"
    paged_ods(replay, [with_dcat, without])
    source = HarvestSource.objects.create(name="ODS", kind="opendatasoft", url=replay.url())
    assert run_source(source).status == "success"
    created = dataset("avec-dcat").remote_created
    assert created is not None and created.date().isoformat() == "2015-04-01"
    assert dataset("sans-dcat").remote_created is None
    for row in HarvestedDataset.objects.exclude(remote_created=None):
        assert row.remote_created <= row.remote_modified


def test_ckan_landing_page_and_licences_with_their_version(replay: Replay, harvest_data: Path) -> None:
    real = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"][0]
    packages = []
    for number, (url, license_id, license_title) in enumerate(
        [
            ("https://www.gap.fr/donnees/budget", "lov2", "Licence Ouverte / Open Licence version 2.0"),
            ("", "fr-lo", "Licence Ouverte / Open Licence"),
            ("javascript:alert(1)", "odc-odbl", "Open Data Commons Open Database License (ODbL)"),
            ("", "cc-by", "Creative Commons Attribution 4.0"),
        ]
    ):
        package = copy.deepcopy(real)
        package.update(
            id=f"c0000000-0000-0000-0000-00000000000{number}",
            name=f"jeu-{number}",
            url=url,
            license_id=license_id,
            license_title=license_title,
        )
        packages.append(package)
    paged_ckan(replay, packages)
    source = HarvestSource.objects.create(name="CKAN", kind="ckan", url=replay.url())
    assert run_source(source).status == "success"
    found = {d.remote_id[-1]: (d.url, d.license) for d in source.datasets.all()}
    assert found == {
        "0": ("https://www.gap.fr/donnees/budget", "Licence Ouverte v2.0"),
        "1": (replay.url("/dataset/jeu-1"), "Licence Ouverte v1.0"),
        "2": (replay.url("/dataset/jeu-2"), "ODbL"),
        "3": (replay.url("/dataset/jeu-3"), "CC-BY 4.0"),
    }


@pytest.mark.parametrize(
    "value, expected",
    [
        ("lov2", "Licence Ouverte v2.0"),
        ("fr-lo", "Licence Ouverte v1.0"),
        ("Licence Ouverte / Open Licence version 2.0", "Licence Ouverte v2.0"),
        (
            "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
            "Licence Ouverte v2.0",
        ),
        ("http://www.etalab.gouv.fr/pages/Licence_ouverte_Open_licence-5899923.html", "Licence Ouverte"),
        ("odc-odbl", "ODbL"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY 4.0"),
        ("http://creativecommons.org/licenses/by-sa/3.0/fr/", "CC-BY-SA 3.0"),
        ("cc-zero", "CC0"),
    ],
)
def test_licences_are_the_same_from_every_route(value: str, expected: str) -> None:
    assert normalise_license(value) == expected


def test_data_gouv_licence_ids_are_normalised_like_ckan_titles(replay: Replay) -> None:
    base = {"description": "", "resources": [], "tags": [], "organization": None, "page": ""}
    paged_datagouv(
        replay,
        [
            {**base, "id": "d1", "title": "A", "license": "lov2", "owner": {"id": "u1", "first_name": "A"}},
            {**base, "id": "d2", "title": "B", "license": "fr-lo", "owner": {"id": "u1", "first_name": "A"}},
        ],
    )
    source = HarvestSource.objects.create(name="dg", kind="datagouv", url=replay.url())
    assert run_source(source).status == "success"
    assert dict(source.datasets.values_list("remote_id", "license")) == {
        "d1": "Licence Ouverte v2.0",
        "d2": "Licence Ouverte v1.0",
    }


def test_harvest_all_due_from_the_command_line_harvests_only_due_sources(
    replay: Replay, harvest_data: Path
) -> None:
    paged_ckan(replay, load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"])
    fresh = HarvestSource.objects.create(name="fraîche", kind="ckan", url=replay.url(), schedule="weekly")
    due = HarvestSource.objects.create(name="échue", kind="ckan", url=replay.url(), schedule="weekly")
    assert run_source(fresh).status == run_source(due).status == "success"
    HarvestRun.objects.filter(source=due).update(started_at=timezone.now() - timedelta(days=8))
    call_command("harvest", "--all", "--due", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert (fresh.runs.count(), due.runs.count()) == (1, 2)


def test_a_source_declared_national_as_the_list_shows_it(small_referentiel: Path) -> None:
    for owner in ("nationale", "national"):
        source = HarvestSources().handle_one(
            "add", name=f"n-{owner}", kind="ckan", url="https://p.example.fr", owner=owner, schedule="weekly"
        )
        assert source is not None and source.owner is None
    by_name = HarvestSources().handle_one(
        "add",
        name="ille",
        kind="ckan",
        url="https://p.example.fr",
        owner="Ille-et-Vilaine",
        schedule="weekly",
    )
    assert by_name is not None and (by_name.owner.kind, by_name.owner.code) == ("departement", "35")
