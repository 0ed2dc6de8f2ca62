"""A source that misbehaves fails alone, after retries, and leaves what was harvested before untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from harvest_replay import Replay, load, paged_ckan, serve_udata_fixtures, slow

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestedDataset, HarvestSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def ckan_source(replay: Replay, harvest_data: Path) -> HarvestSource:
    """A CKAN portal harvested once successfully: 3 datasets stored."""
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    paged_ckan(replay, packages)
    source = HarvestSource.objects.create(name="Portail", kind="ckan", url=replay.url())
    assert run_source(source).status == "success"
    return source


def snapshot(source: HarvestSource) -> list[tuple[Any, ...]]:
    return list(
        source.datasets.order_by("remote_id").values_list("remote_id", "title", "archived_at", "last_seen")
    )


def break_with(replay: Replay, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    replay.handler(
        "/api/3/action/package_search",
        lambda _p, _q: (status, headers or {"Content-Type": "text/html"}, body),
    )


@pytest.mark.parametrize(
    "status, body, headers, expected",
    [
        (500, b"<h1>Internal error</h1>", None, "erreur du serveur, code HTTP 500 après 3 essais"),
        (429, b"slow down", {"Retry-After": "0"}, "limite de requêtes atteinte (429)"),
        (200, b"{not json", {"Content-Type": "application/json"}, "n'est pas du JSON valide"),
        (200, b"<html>maintenance</html>", {"Content-Type": "text/html"}, "n'est pas du JSON valide"),
        (
            200,
            b'{"success": true, "result": {"count": 3}}',
            {"Content-Type": "application/json"},
            "sans liste",
        ),
        (404, b"", None, "code HTTP 404"),
    ],
)
def test_a_broken_answer_fails_the_run_and_keeps_earlier_data(
    replay: Replay, ckan_source: HarvestSource, status: int, body: bytes, headers: Any, expected: str
) -> None:
    before = snapshot(ckan_source)
    break_with(replay, status, body, headers)
    run = run_source(ckan_source)
    assert run.status == "failed"
    assert expected in run.message
    assert snapshot(ckan_source) == before
    if status >= 500 or status == 429:
        # First try + 2 retries.
        assert replay.hits["/api/3/action/package_search"] == 1 + 3


def test_a_source_that_never_answers_in_time_fails_after_retries(
    replay: Replay, ckan_source: HarvestSource, settings: Any
) -> None:
    settings.ODL_HARVEST_TIMEOUT = 0.2
    before = snapshot(ckan_source)
    replay.handler("/api/3/action/package_search", slow(1.0, (200, {}, b"{}")))
    run = run_source(ckan_source)
    assert run.status == "failed"
    assert "pas de réponse en 0.2 s (3 essais)" in run.message
    assert snapshot(ckan_source) == before


def test_a_rate_limit_that_lifts_is_retried_and_succeeds(replay: Replay, harvest_data: Path) -> None:
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    calls = {"n": 0}

    def flaky(_path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Retry-After": "0"}, b""
        if calls["n"] == 2:
            return 503, {}, b""
        body = {"success": True, "result": {"count": 3, "results": packages}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/3/action/package_search", flaky)
    run = run_source(HarvestSource.objects.create(name="p", kind="ckan", url=replay.url()))
    assert (run.status, run.items_new) == ("success", 3)


def test_a_source_that_paginates_forever_is_stopped(
    replay: Replay, harvest_data: Path, settings: Any
) -> None:
    settings.ODL_HARVEST_MAX_PAGES = 5
    dataset = load(harvest_data, "datagouv/datagouv_client-dataset_metadata.json")
    org = load(harvest_data, "datagouv/datagouv_client-organization_metadata.json")
    replay.json(f"/api/1/organizations/{org['id']}/", org)

    def endless(_path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        page = int(query.get("page", ["1"])[0])
        body = {
            "data": [{**dataset, "id": f"ds-{page}"}],
            "page": page,
            "page_size": 1,
            "total": 10**9,
            "next_page": replay.url(f"/api/1/datasets/?page={page + 1}"),
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/1/datasets/", endless)
    run = run_source(HarvestSource.objects.create(name="sans fin", kind="datagouv", url=replay.url()))
    assert run.status == "failed"
    assert "pagination semble sans fin" in run.message
    assert HarvestedDataset.objects.count() == 0


def test_a_portal_that_ignores_paging_is_stopped(replay: Replay, harvest_data: Path, settings: Any) -> None:
    settings.ODL_HARVEST_PAGE_SIZE = 1
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    body = json.dumps({"success": True, "result": {"count": 1000, "results": packages[:1]}}).encode()
    replay.handler(
        "/api/3/action/package_search", lambda _p, _q: (200, {"Content-Type": "application/json"}, body)
    )
    run = run_source(HarvestSource.objects.create(name="p", kind="ckan", url=replay.url()))
    assert run.status == "failed"
    assert "toujours les mêmes jeux" in run.message


def test_redirects_are_followed_but_a_loop_fails(replay: Replay, harvest_data: Path) -> None:
    xml = (harvest_data / "dcat/udata-tests/catalog.xml").read_bytes()
    replay.raw("/new", xml, "application/rdf+xml")
    replay.handler("/old", lambda _p, _q: (301, {"Location": replay.url("/new")}, b""))
    replay.handler("/loop", lambda _p, _q: (302, {"Location": replay.url("/loop")}, b""))
    moved = run_source(HarvestSource.objects.create(name="a", kind="dcat", url=replay.url("/old")))
    assert (moved.status, moved.items_seen) == ("success", 4)
    loop = run_source(HarvestSource.objects.create(name="b", kind="dcat", url=replay.url("/loop")))
    assert loop.status == "failed"
    assert "trop de redirections" in loop.message


@pytest.mark.parametrize(
    "body, content_type, expected",
    [
        (
            b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><oops",
            "application/rdf+xml",
            "catalogue illisible",
        ),
        (b"<html><body>Portail</body></html>", "text/html", "page web (HTML)"),
        (b"just some text", "text/plain", "format du catalogue non reconnu"),
        (
            b'{"@context": "https://example.org/ctx.jsonld", "dcat:dataset": []}',
            "application/ld+json",
            "contexte distant",
        ),
    ],
)
def test_garbage_dcat_gets_a_french_message(
    replay: Replay, body: bytes, content_type: str, expected: str
) -> None:
    replay.raw("/catalog", body, content_type)
    run = run_source(HarvestSource.objects.create(name="d", kind="dcat", url=replay.url("/catalog")))
    assert run.status == "failed"
    assert expected in run.message


def test_a_csw_answer_is_an_unknown_dcat_dialect(replay: Replay, harvest_data: Path) -> None:
    replay.raw(
        "/csw",
        (harvest_data / "dcat/udata-tests/csw-geonetwork-dcat-page-1.xml").read_bytes(),
        "application/xml",
    )
    run = run_source(HarvestSource.objects.create(name="d", kind="dcat", url=replay.url("/csw")))
    assert "réponse CSW" in run.message


def test_vanished_datasets_are_archived_with_a_date_and_come_back(
    replay: Replay, harvest_data: Path, ckan_source: HarvestSource
) -> None:
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    paged_ckan(replay, packages[:2])
    run = run_source(ckan_source)
    assert (run.items_seen, run.items_archived, run.items_new, run.items_updated) == (2, 1, 0, 0)
    gone = HarvestedDataset.objects.get(remote_id=packages[2]["id"])
    assert gone.archived_at is not None
    paged_ckan(replay, packages)
    run = run_source(ckan_source)
    assert (run.items_archived, run.items_updated) == (0, 1)
    gone.refresh_from_db()
    assert gone.archived_at is None


def test_a_changed_dataset_is_counted_as_updated(
    replay: Replay, harvest_data: Path, ckan_source: HarvestSource
) -> None:
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    packages[0]["title"] = "Nouveau titre"
    paged_ckan(replay, packages)
    run = run_source(ckan_source)
    assert (run.items_new, run.items_updated, run.items_archived) == (0, 1, 0)
    assert ckan_source.datasets.get(remote_id=packages[0]["id"]).title == "Nouveau titre"


def test_a_broken_item_is_recorded_and_the_rest_is_kept(replay: Replay, harvest_data: Path) -> None:
    datasets = serve_udata_fixtures(replay, harvest_data)
    datasets[3]["id"] = None
    run = run_source(HarvestSource.objects.create(name="dg", kind="datagouv", url=replay.url()))
    assert (run.status, run.items_seen, run.items_failed) == ("partial", 14, 1)
    assert run.errors[0]["error"] == "jeu de données sans identifiant"


def test_a_source_already_being_harvested_is_not_harvested_twice(ckan_source: HarvestSource) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from odl.harvest.models import HarvestRun

    HarvestRun.objects.create(source=ckan_source, status="running")
    run = run_source(ckan_source)
    assert (run.status, run.message) == ("failed", "un autre moissonnage de cette source est déjà en cours")
    # A run left "running" for hours belongs to a dead process: it no longer blocks.
    HarvestRun.objects.filter(status="running").update(started_at=timezone.now() - timedelta(hours=7))
    assert run_source(ckan_source).status == "success"
    assert HarvestRun.objects.filter(message__startswith="interrompu").count() == 1


def test_harvested_links_that_are_not_http_are_dropped(replay: Replay, harvest_data: Path) -> None:
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    packages[0]["resources"] = [{"name": "piège", "url": "javascript:alert(1)", "format": "CSV"}]
    paged_ckan(replay, packages)
    source = HarvestSource.objects.create(name="p", kind="ckan", url=replay.url())
    run_source(source)
    assert source.datasets.get(remote_id=packages[0]["id"]).resources[0]["url"] == ""


def test_a_slow_answer_within_the_timeout_is_waited_for(replay: Replay, harvest_data: Path) -> None:
    xml = (harvest_data / "dcat/udata-tests/catalog.xml").read_bytes()
    replay.handler("/slow", slow(0.4, (200, {"Content-Type": "application/rdf+xml"}, xml)))
    run = run_source(HarvestSource.objects.create(name="lent", kind="dcat", url=replay.url("/slow")))
    assert (run.status, run.items_seen, replay.hits["/slow"]) == ("success", 4, 1)
