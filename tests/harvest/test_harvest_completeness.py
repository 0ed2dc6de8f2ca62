"""Nothing is archived by mistake: a run that did not see the whole source archives nothing and says why.

Each case replays the real envelopes of the APIs (CKAN ``package_search``, Opendatasoft Explore v2.1,
data.gouv.fr API v1 and its CSV exports, Hydra-paged JSON-LD) with a fault in the middle.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from harvest_replay import Replay, Reply, load, paged_ckan, paged_ods, serve_udata_fixtures

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher

pytestmark = pytest.mark.django_db


def ckan_packages(harvest_data: Path, n: int) -> list[dict[str, Any]]:
    """``n`` CKAN packages made from the real demo.ckan.org ones (distinct ids and names)."""
    real = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    packages = []
    for number in range(n):
        package = copy.deepcopy(real[number % len(real)])
        package.update(id=f"0000000{number:02d}-aaaa-bbbb-cccc-000000000000", name=f"jeu-{number}")
        package["title"] = f"Jeu numéro {number}"
        packages.append(package)
    return packages


def ckan_cut_after(replay: Replay, packages: list[dict[str, Any]], announced: int, served: int) -> None:
    """package_search announcing ``announced`` datasets but serving only the first ``served`` (then [])."""

    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        start = int(query.get("start", ["0"])[0])
        rows = int(query.get("rows", ["10"])[0])
        results = packages[start : min(start + rows, served)]
        body = {"help": "", "success": True, "result": {"count": announced, "results": results}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/3/action/package_search", handle)


def current(source: HarvestSource) -> set[str]:
    return set(source.datasets.filter(archived_at__isnull=True).values_list("remote_id", flat=True))


@pytest.fixture
def ckan_source(replay: Replay, harvest_data: Path, settings: Any) -> HarvestSource:
    settings.ODL_HARVEST_PAGE_SIZE = 4
    paged_ckan(replay, ckan_packages(harvest_data, 10))
    source = HarvestSource.objects.create(name="Portail CKAN", kind="ckan", url=replay.url())
    assert run_source(source).status == "success"
    assert len(current(source)) == 10
    return source


def test_an_empty_ckan_page_before_the_announced_count_archives_nothing(
    replay: Replay, harvest_data: Path, ckan_source: HarvestSource, coordinator_client: Client
) -> None:
    before = current(ckan_source)
    # Page 1 (4 datasets), then an empty page at start=4 although count says 10.
    ckan_cut_after(replay, ckan_packages(harvest_data, 10), announced=10, served=4)
    run = run_source(ckan_source)
    assert run.status == "partial"
    assert run.items_archived == 0
    assert "page vide à la position 4 alors que la source annonce 10 jeux" in run.held_back
    assert "rien n'a été archivé" in run.message
    assert current(ckan_source) == before
    page = coordinator_client.get(f"/observatoire/moissonnage/passages/{run.pk}/").content.decode()
    assert "Rien n&#x27;a été archivé" in page or "Rien n'a été archivé" in page
    assert "page vide à la position 4" in page
    passages = coordinator_client.get(f"/api/observatoire/sources/{ckan_source.pk}/passages").json()
    assert "page vide à la position 4" in passages[0]["held_back"]


def test_fewer_records_than_announced_archive_nothing(
    replay: Replay, harvest_data: Path, ckan_source: HarvestSource
) -> None:
    packages = ckan_packages(harvest_data, 10)

    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        # A portal whose last pages silently lose records: 10 announced, 6 served, paging ends normally.
        start = int(query.get("start", ["0"])[0])
        results = packages[start : start + 4] if start < 6 else []
        body = {"success": True, "result": {"count": 10 if start < 4 else 6, "results": results}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/3/action/package_search", handle)
    run = run_source(ckan_source)
    assert (run.status, run.items_archived) == ("partial", 0)
    assert "8 jeux lus alors que la source en annonce 10" in run.held_back
    assert len(current(ckan_source)) == 10


def test_a_drop_beyond_the_threshold_archives_nothing_until_accepted(
    replay: Replay, harvest_data: Path, ckan_source: HarvestSource, settings: Any
) -> None:
    # The portal now announces and serves 5 of its 10 datasets: consistent, but half the catalogue.
    paged_ckan(replay, ckan_packages(harvest_data, 5))
    run = run_source(ckan_source)
    assert (run.status, run.items_archived) == ("partial", 0)
    assert "5 jeux vus contre 10 au dernier passage réussi, une baisse de 50 %" in run.held_back
    assert "seuil de 20 %" in run.held_back
    assert len(current(ckan_source)) == 10
    # The threshold is a setting...
    settings.ODL_HARVEST_MAX_DROP = 60
    run = run_source(ckan_source)
    assert (run.status, run.items_archived, run.held_back) == ("success", 5, "")
    gone = ckan_source.datasets.get(remote_id=ckan_packages(harvest_data, 10)[9]["id"])
    assert gone.archived_reason == "disparu de la source"


def test_an_accepted_drop_archives(replay: Replay, harvest_data: Path, ckan_source: HarvestSource) -> None:
    paged_ckan(replay, ckan_packages(harvest_data, 5))
    run = run_source(ckan_source, accept_drop=True)
    assert (run.status, run.items_archived) == ("success", 5)
    assert len(current(ckan_source)) == 5


def test_a_small_change_still_archives(
    replay: Replay, harvest_data: Path, ckan_source: HarvestSource
) -> None:
    paged_ckan(replay, ckan_packages(harvest_data, 9))
    run = run_source(ckan_source)
    assert (run.status, run.items_archived) == ("success", 1)


def test_an_empty_opendatasoft_page_before_total_count_archives_nothing(
    replay: Replay, harvest_data: Path, settings: Any
) -> None:
    settings.ODL_HARVEST_PAGE_SIZE = 2
    real = load(harvest_data, "opendatasoft/explore-v2.1-catalog-datasets.example.json")["results"]
    results = []
    for number in range(6):
        result = copy.deepcopy(real[number % len(real)])
        result["dataset_id"] = f"jeu-{number}"
        results.append(result)
    paged_ods(replay, results)
    source = HarvestSource.objects.create(name="ODS", kind="opendatasoft", url=replay.url())
    assert run_source(source).status == "success"

    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        offset = int(query.get("offset", ["0"])[0])
        chunk = results[offset : offset + 2] if offset < 2 else []
        body = {"total_count": 6, "results": chunk}
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()

    replay.handler("/api/explore/v2.1/catalog/datasets", handle)
    run = run_source(source)
    assert (run.status, run.items_archived) == ("partial", 0)
    assert "page vide à la position 2 alors que la source annonce 6 jeux" in run.held_back
    assert len(current(source)) == 6


def test_an_empty_data_gouv_page_with_a_next_page_archives_nothing(
    replay: Replay, harvest_data: Path
) -> None:
    datasets = serve_udata_fixtures(replay, harvest_data, page_size=5)
    source = HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=replay.url())
    assert run_source(source).status == "success"

    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        page = int(query.get("page", ["1"])[0])
        body = {
            "data": datasets[:5] if page == 1 else [],
            "page": page,
            "page_size": 5,
            "total": 15,
            "next_page": replay.url(f"/api/1/datasets/?page={page + 1}&page_size=5"),
            "previous_page": None,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/1/datasets/", handle)
    run = run_source(source)
    assert (run.status, run.items_archived) == ("partial", 0)
    assert "page vide après 5 jeux alors que la source en annonce 15" in run.held_back
    assert len(current(source)) == 15


def hydra_page(replay: Replay, number: int, ids: list[int], next_page: int | None) -> bytes:
    """One page of a Hydra-paged DCAT catalogue in expanded JSON-LD, as udata's tests have them."""
    catalog: dict[str, Any] = {
        "@id": "http://data.test.org",
        "@type": ["http://www.w3.org/ns/dcat#Catalog", "http://www.w3.org/ns/hydra/core#Collection"],
        "http://www.w3.org/ns/dcat#dataset": [{"@id": f"http://data.test.org/datasets/{i}"} for i in ids],
        "http://www.w3.org/ns/hydra/core#totalItems": [{"@value": "4"}],
    }
    view: dict[str, Any] = {
        "@id": replay.url(f"/catalog-{number}"),
        "@type": ["http://www.w3.org/ns/hydra/core#PartialCollectionView"],
    }
    if next_page:
        view["http://www.w3.org/ns/hydra/core#next"] = [{"@id": replay.url(f"/catalog-{next_page}")}]
    datasets = [
        {
            "@id": f"http://data.test.org/datasets/{i}",
            "@type": ["http://www.w3.org/ns/dcat#Dataset"],
            "http://purl.org/dc/terms/title": [{"@value": f"Jeu {i}"}],
            "http://purl.org/dc/terms/identifier": [{"@value": str(i)}],
        }
        for i in ids
    ]
    return json.dumps([catalog, view, *datasets]).encode()


def test_an_empty_hydra_page_that_points_further_archives_nothing(replay: Replay) -> None:
    replay.raw("/catalog-1", hydra_page(replay, 1, [1, 2], 2), "application/ld+json")
    replay.raw("/catalog-2", hydra_page(replay, 2, [3, 4], None), "application/ld+json")
    source = HarvestSource.objects.create(name="DCAT", kind="dcat", url=replay.url("/catalog-1"))
    assert run_source(source).status == "success"
    replay.raw("/catalog-2", hydra_page(replay, 2, [], 3), "application/ld+json")
    run = run_source(source)
    assert (run.status, run.items_archived) == ("partial", 0)
    assert (
        "page vide après 2 jeux alors que le catalogue annonce une page suivante et 4 jeux" in run.held_back
    )
    assert len(current(source)) == 4


# ---------------------------------------------------------------- item 2: cut CSV exports


EXPORT_COLUMNS = ["id", "title", "slug", "url", "organization", "organization_id", "license", "tags"]


def export_csv(rows: list[dict[str, str]]) -> bytes:
    """An export-dataset-*.csv as udata writes it (``;``, QUOTE_NONNUMERIC, one record per line)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, delimiter=";", quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def export_rows(n: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"5f0000000000000000000{number:03d}",
            "title": f"Délibérations du conseil municipal {2000 + number}",
            "slug": f"deliberations-{number}",
            "url": f"https://www.data.gouv.fr/fr/datasets/deliberations-{number}/",
            "organization": "Commune de Sixt-sur-Aff",
            "organization_id": "534fff8ea3a7292c64a77ed4",
            "license": "Licence Ouverte / Open Licence version 2.0",
            "tags": "deliberations,conseil-municipal",
        }
        for number in range(n)
    ]


@pytest.fixture
def export_source(replay: Replay) -> HarvestSource:
    replay.raw("/export-dataset.csv", export_csv(export_rows(4)), "text/csv")
    source = HarvestSource.objects.create(
        name="export", kind="datagouv", url=replay.url("/export-dataset.csv")
    )
    assert run_source(source).status == "success"
    return source


@pytest.mark.parametrize(
    "cut, expected",
    [
        # Cut inside the last title: the quote never closes.
        (lambda body: body[: body.rindex(b"2003") + 2], "tronqué"),
        # Cut at a field boundary, no line break at the end.
        (lambda body: body[: body.rindex(b";")], "tronqué"),
        # A last record with only some of its columns, line break included.
        (lambda body: body[: body.rindex(b'"Commune')] + b"\r\n", "enregistrement incomplet à la ligne 5"),
    ],
)
def test_a_cut_csv_export_is_refused_and_overwrites_nothing(
    replay: Replay, export_source: HarvestSource, cut: Any, expected: str
) -> None:
    before = list(
        export_source.datasets.order_by("remote_id").values_list("remote_id", "title", "archived_at")
    )
    rows = export_rows(4)
    rows[3]["title"] = "Délibérations du conseil municipal 2003 (mise à jour)"
    replay.raw("/export-dataset.csv", cut(export_csv(rows)), "text/csv")
    run = run_source(export_source)
    assert run.status == "failed"
    assert expected in run.message
    after = list(
        export_source.datasets.order_by("remote_id").values_list("remote_id", "title", "archived_at")
    )
    assert after == before


def organisations_csv(datasets: int) -> bytes:
    """export-organization-*.csv with its metric.datasets column."""
    columns = ["id", "name", "slug", "business_number_id", "metric.datasets"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";", quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    writer.writerow(
        {
            "id": "534fff8ea3a7292c64a77ed4",
            "name": "Commune de Sixt-sur-Aff",
            "slug": "commune-de-sixt-sur-aff",
            "business_number_id": "21350328700012",
            "metric.datasets": datasets,
        }
    )
    return buffer.getvalue().encode("utf-8")


def test_an_export_with_fewer_rows_than_its_organisations_announce_archives_nothing(replay: Replay) -> None:
    replay.raw("/export-dataset.csv", export_csv(export_rows(4)), "text/csv")
    replay.raw("/export-organization.csv", organisations_csv(4), "text/csv")
    source = HarvestSource.objects.create(
        name="export",
        kind="datagouv",
        url=replay.url("/export-dataset.csv"),
        filters={
            "organisation": "534fff8ea3a7292c64a77ed4",
            "organisations_csv": replay.url("/export-organization.csv"),
        },
    )
    assert run_source(source).status == "success"
    # The next export lost a row while the organisation still announces 4 datasets.
    replay.raw("/export-dataset.csv", export_csv(export_rows(3)), "text/csv")
    run = run_source(source)
    assert (run.status, run.items_archived) == ("partial", 0)
    assert "l'export ne compte que 3 jeux pour ces organisations, qui en annoncent 4" in run.held_back
    assert len(current(source)) == 4
    # Once the organisation announces 3, the vanished one is archived.
    replay.raw("/export-organization.csv", organisations_csv(3), "text/csv")
    run = run_source(source)
    assert (run.status, run.items_archived) == ("success", 1)


# ---------------------------------------------------------------- item 3: one organisation's 404


def test_one_organisation_404_is_one_failure_and_the_rest_is_harvested(
    replay: Replay, harvest_data: Path
) -> None:
    datasets = serve_udata_fixtures(replay, harvest_data)
    lost = datasets[0]["organization"]
    del replay.routes[f"/api/1/organizations/{lost['id']}/"]
    source = HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=replay.url())
    run = run_source(source)
    assert run.status == "partial"
    assert run.items_seen == 15
    assert run.items_failed == 1
    assert f"fiche de l'organisation {lost['id']} illisible" in run.errors[0]["error"]
    assert "code HTTP 404" in run.errors[0]["error"]
    # The embedded organisation stands in for the full one.
    publisher = Publisher.objects.get(source=source, remote_id=lost["id"])
    assert publisher.name == lost["name"]
    assert HarvestedDataset.objects.filter(source=source, publisher=publisher).exists()


# ---------------------------------------------------------------- item 5: deactivated sources


def test_a_deactivated_source_stops_counting_and_comes_back(
    replay: Replay, harvest_data: Path, ckan_source: HarvestSource, coordinator_client: Client
) -> None:
    ckan_source.datasets.filter(remote_id=ckan_packages(harvest_data, 10)[0]["id"]).update(
        archived_at="2024-01-01T00:00Z", archived_reason="disparu de la source"
    )
    ckan_source.active = False
    ckan_source.save(update_fields=["active"])
    assert not HarvestedDataset.objects.filter(source=ckan_source).current().exists()
    assert ckan_source.datasets.filter(archived_reason="source désactivée").count() == 9
    page = coordinator_client.get(f"/observatoire/moissonnage/sources/{ckan_source.pk}/").content.decode()
    assert "(source désactivée)" in page
    listed = coordinator_client.get("/api/observatoire/jeux?archived=true").json()["results"]
    assert {d["archived_reason"] for d in listed} == {"source désactivée", "disparu de la source"}
    # A harvest of a deactivated source would bring them back: refused.
    run = run_source(ckan_source)
    assert (run.status, run.message) == ("failed", "source désactivée : réactivez-la avant de la moissonner")
    ckan_source.active = True
    ckan_source.save()
    assert len(current(ckan_source)) == 9
    # What vanished before the deactivation stays archived, for its own reason.
    assert ckan_source.datasets.get(archived_reason="disparu de la source").archived_at is not None
