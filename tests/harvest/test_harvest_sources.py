"""Harvesting each kind of source over real HTTP, from the real payloads."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from harvest_replay import Replay, load, paged_ckan, paged_ods, serve_udata_fixtures

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher

pytestmark = pytest.mark.django_db


def source(kind: str, url: str, **kwargs: object) -> HarvestSource:
    return HarvestSource.objects.create(name=f"{kind} test", kind=kind, url=url, **kwargs)


def test_it_harvests_every_page_of_data_gouv_with_organisation_sirets(
    replay: Replay, harvest_data: Path
) -> None:
    serve_udata_fixtures(replay, harvest_data, page_size=4)
    run = run_source(source("datagouv", replay.url()))
    assert run.status == "success", run.message
    assert (run.items_seen, run.items_new, run.pages) == (15, 15, 4)
    montluel = HarvestedDataset.objects.get(title__startswith="Mairie de Montluel")
    assert montluel.publisher.business_number == "21010262000106"
    assert montluel.publisher.extras["siretisation:collectivite_territoriale:code_insee"] == "01262"
    assert montluel.schemas == ["etalab/schema-irve-statique"]
    # One organisation page fetched per organisation, not per dataset.
    assert replay.hits["/api/1/organizations/534fff7aa3a7292c64a77e0c/"] == 1


def test_it_harvests_a_ckan_portal_page_by_page(replay: Replay, harvest_data: Path) -> None:
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    dkan = load(harvest_data, "ckan/udata-dkan-french-w-license.json")["result"][0]
    private = {**dkan, "id": "private-one", "private": True}
    dkan["private"] = False  # DKAN says "Active" with a capital; private ones are skipped
    paged_ckan(replay, [*packages, dkan, private])
    src = source("ckan", replay.url("/api/3/action/package_search"))
    from django.test import override_settings

    with override_settings(ODL_HARVEST_PAGE_SIZE=2):
        run = run_source(src)
    assert run.status == "success", run.message
    assert (run.items_seen, run.pages) == (4, 3)
    hdf = HarvestedDataset.objects.get(remote_id=dkan["id"])
    assert hdf.title.startswith("Antennes régionales")
    assert hdf.license == "Licence Ouverte"
    # "mar, 10/12/2019 - 09:23" is not a date: recorded as unknown, not fatal.
    assert hdf.remote_created is None
    # The package's own ``url`` is its landing page at the producer.
    assert hdf.url == dkan["url"]
    assert src.datasets.count() == 4
    src.refresh_from_db()
    assert src.technology == "CKAN"


def test_it_harvests_an_opendatasoft_catalogue(replay: Replay, harvest_data: Path) -> None:
    results = load(harvest_data, "opendatasoft/explore-v2.1-catalog-datasets.example.json")["results"]
    paged_ods(replay, results)
    run = run_source(source("opendatasoft", replay.url()))
    assert run.status == "success", run.message
    wfp = HarvestedDataset.objects.get(remote_id="world-administrative-boundaries-countries-and-territories")
    assert wfp.publisher.name == "World Food Programme (UN agency)"
    assert wfp.license == "Open Government Licence v3.0"
    assert wfp.remote_modified.year == 2021
    assert (
        HarvestedDataset.objects.filter(remote_id="geonames-all-cities-with-a-population-1000")
        .get()
        .publisher
        is None
    )


@pytest.mark.parametrize(
    "relative, content_type, expected",
    [
        ("dcat/ckanext-dcat/catalog.rdf", "application/rdf+xml", 2),
        ("dcat/udata-tests/catalog.xml", "application/rdf+xml", 4),
        ("dcat/udata-tests/flat.jsonld", "application/ld+json", 3),
        ("dcat/ckanext-dcat/catalog_with_at_graph.jsonld", "application/ld+json", 1),
        ("dcat/udata-tests/evian.json", "application/json", 8),
        ("dcat/udata-tests/udata.xml", "application/rdf+xml", 2),
    ],
)
def test_it_harvests_dcat_in_every_dialect(
    replay: Replay, harvest_data: Path, relative: str, content_type: str, expected: int
) -> None:
    replay.raw("/catalog", (harvest_data / relative).read_bytes(), content_type)
    run = run_source(source("dcat", replay.url("/catalog")))
    assert run.status == "success", run.message
    assert run.items_seen == expected


def test_it_harvests_turtle(replay: Replay, harvest_data: Path) -> None:
    # ckanext-dcat's dataset.ttl uses a prefix it never declares; declare it as a publisher would.
    text = (harvest_data / "dcat/ckanext-dcat/dataset.ttl").read_text(encoding="utf-8")
    text = "@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .\n" + text
    replay.raw("/catalog.ttl", text.encode(), "text/turtle")
    run = run_source(source("dcat", replay.url("/catalog.ttl")))
    assert run.status == "success", run.message
    assert run.items_seen >= 1


@pytest.mark.parametrize("prefix", ["paged-collection", "partial-collection"])
def test_it_follows_hydra_paging_in_json_ld(replay: Replay, harvest_data: Path, prefix: str) -> None:
    for number in (1, 2):
        text = (harvest_data / f"dcat/udata-tests/{prefix}-{number}.jsonld").read_text(encoding="utf-8")
        text = text.replace("http://data.test.org/catalog.jsonld?page=", replay.url("/catalog-"))
        replay.raw(f"/catalog-{number}", text.encode(), "application/ld+json")
    run = run_source(source("dcat", replay.url("/catalog-1")))
    assert run.status == "success", run.message
    assert (run.pages, run.items_seen) == (2, 4)


def test_the_same_dataset_through_a_local_portal_and_data_gouv_counts_once(
    replay: Replay, harvest_data: Path
) -> None:
    datasets = serve_udata_fixtures(replay, harvest_data)
    garein = next(d for d in datasets if d["title"].startswith("Base adresse locale de la commune de Garein"))
    # The same record on the original CKAN portal (pigma), as package_search returns it.
    package = copy.deepcopy(
        load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"][0]
    )
    package.update(id=garein["harvest"]["remote_id"], title=garein["title"], name="bal-garein")
    paged_ckan(replay, [package])
    national = run_source(source("datagouv", replay.url()))
    local = run_source(source("ckan", replay.url()))
    assert national.status == local.status == "success"
    copies = HarvestedDataset.objects.filter(title=garein["title"])
    assert copies.count() == 2
    original = copies.get(source__kind="ckan")
    assert original.duplicate_of is None
    assert copies.get(source__kind="datagouv").duplicate_of == original
    assert HarvestedDataset.objects.current().filter(duplicate_of__isnull=True).count() == 15


def test_text_from_a_source_is_kept_raw_but_cut_when_huge(replay: Replay, harvest_data: Path) -> None:
    packages = copy.deepcopy(
        load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    )
    packages[0]["title"] = "<script>alert('x')</script>Jeu"
    packages[0]["notes"] = "A" * 1_000_000
    packages[1]["license_title"] = "<b>" + "x" * 300
    packages[1]["metadata_modified"] = "2019-02-31T00:00:00"
    paged_ckan(replay, packages)
    run = run_source(source("ckan", replay.url()))
    assert run.status == "success"
    first = HarvestedDataset.objects.get(remote_id=packages[0]["id"])
    assert first.title == "<script>alert('x')</script>Jeu"  # escaped at display time
    assert len(first.description) <= 20_000
    second = HarvestedDataset.objects.get(remote_id=packages[1]["id"])
    # The garbage title is no licence; the package's licence id still says which one.
    assert (second.license, second.remote_modified) == ("CC-BY", None)


def test_publishers_are_recorded_once_per_source(replay: Replay, harvest_data: Path) -> None:
    serve_udata_fixtures(replay, harvest_data)
    run_source(source("datagouv", replay.url()))
    assert Publisher.objects.count() == 15
    assert json.dumps(Publisher.objects.get(name="Commune de Sixt-sur-Aff").extras)
