"""Harvests of generated catalogue answers: whatever a portal returns inside a real API's envelope
(wrong types, missing keys, HTML, huge numbers, nested garbage), the run ends with a status and, when it
fails, a French message; it never raises, and what a previous run stored stays readable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from harvest_replay import Replay, paged_ckan, paged_datagouv, paged_ods
from hypothesis import given, settings
from hypothesis import strategies as st

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestSource

pytestmark = pytest.mark.django_db

SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["<b>gras</b>", "<script>alert(1)</script>", "2024-13-45", "1899-01-01T00:00:00", "   "]),
)
JSON = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def records(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Records whose every key holds a plausible value or anything at all, some keys missing."""
    record = st.fixed_dictionaries({}, optional={k: st.one_of(v, JSON) for k, v in keys.items()})
    return st.lists(record, min_size=0, max_size=6)


TEXT = st.text(max_size=30)
CKAN = {
    "id": TEXT,
    "name": TEXT,
    "title": TEXT,
    "notes": TEXT,
    "url": st.sampled_from(["https://exemple.fr/jeu", "javascript:alert(1)", "", "not a url"]),
    "license_id": st.sampled_from(["fr-lo", "lov2", "odc-odbl", "cc-by", ""]),
    "metadata_created": st.sampled_from(["2024-01-01T00:00:00", "hier", ""]),
    "metadata_modified": st.sampled_from(["2024-02-01T00:00:00.123456", "2020", ""]),
    "organization": st.fixed_dictionaries({}, optional={"name": TEXT, "title": TEXT, "id": TEXT}),
    "resources": st.lists(st.fixed_dictionaries({}, optional={"url": TEXT, "format": TEXT, "name": TEXT})),
    "tags": st.lists(st.fixed_dictionaries({}, optional={"name": TEXT})),
    "extras": st.lists(st.fixed_dictionaries({}, optional={"key": TEXT, "value": TEXT})),
}
ODS = {
    "dataset_id": TEXT,
    "metas": st.fixed_dictionaries(
        {},
        optional={
            "default": st.fixed_dictionaries(
                {},
                optional={
                    "title": TEXT,
                    "publisher": TEXT,
                    "modified": TEXT,
                    "keyword": st.lists(TEXT),
                    "license": TEXT,
                },
            )
        },
    ),
    "links": st.lists(st.fixed_dictionaries({}, optional={"rel": TEXT, "href": TEXT})),
}
UDATA = {
    "id": TEXT,
    "title": TEXT,
    "slug": TEXT,
    "page": TEXT,
    "license": TEXT,
    "created_at": TEXT,
    "last_modified": TEXT,
    "organization": st.fixed_dictionaries(
        {}, optional={"id": TEXT, "name": TEXT, "business_number_id": TEXT}
    ),
    "resources": st.lists(st.fixed_dictionaries({}, optional={"url": TEXT, "format": TEXT, "schema": JSON})),
    "harvest": st.fixed_dictionaries({}, optional={"remote_id": TEXT, "remote_url": TEXT, "domain": TEXT}),
    "tags": st.lists(TEXT),
}
DATA_JSON = {
    "identifier": TEXT,
    "title": TEXT,
    "description": TEXT,
    "modified": TEXT,
    "issued": TEXT,
    "publisher": st.fixed_dictionaries({}, optional={"name": TEXT}),
    "keyword": st.one_of(st.lists(TEXT), TEXT),
    "distribution": st.lists(
        st.fixed_dictionaries({}, optional={"downloadURL": TEXT, "mediaType": TEXT, "format": TEXT})
    ),
    "landingPage": TEXT,
    "license": TEXT,
}


# A harvest runs the whole pipeline after it (deduplication, SCDL checks, the day's snapshot): a quarter
# of the profile's examples per portal keeps the five portals under half a minute.
FEW = settings(max_examples=max(5, settings.default.max_examples // 4))


def _harvest(source: HarvestSource) -> None:
    """One run on the generated answer; the source is the same for every example of a test, so each run
    also meets what the previous examples stored."""
    run = run_source(source)
    assert run.status in {"success", "partial", "failed"}, run.status
    if run.status == "failed":
        assert run.message, "un échec doit dire pourquoi"
    # What is stored stays readable: every title is text and every dataset has its identity.
    for remote_id, title in source.datasets.values_list("remote_id", "title"):
        assert isinstance(title, str) and remote_id


@FEW
@given(records(CKAN))
def test_ckan_answers_of_any_shape(replay: Replay, packages: list[dict[str, Any]]) -> None:
    paged_ckan(replay, packages)
    source, _ = HarvestSource.objects.get_or_create(name="CKAN", kind="ckan", url=replay.url())
    _harvest(source)


@FEW
@given(records(ODS))
def test_opendatasoft_answers_of_any_shape(replay: Replay, results: list[dict[str, Any]]) -> None:
    paged_ods(replay, results)
    source, _ = HarvestSource.objects.get_or_create(name="ODS", kind="opendatasoft", url=replay.url())
    _harvest(source)


@FEW
@given(records(UDATA))
def test_datagouv_answers_of_any_shape(replay: Replay, datasets: list[dict[str, Any]]) -> None:
    paged_datagouv(replay, datasets)
    replay.handler(
        "/api/1/organizations/",
        lambda _p, _q: (404, {"Content-Type": "application/json"}, b'{"message": "Not found"}'),
    )
    source, _ = HarvestSource.objects.get_or_create(name="dg", kind="datagouv", url=replay.url())
    _harvest(source)


@FEW
@given(records(DATA_JSON), st.sampled_from(["application/json", "text/html", "application/ld+json"]))
def test_dcat_us_data_json_of_any_shape(
    replay: Replay, entries: list[dict[str, Any]], content_type: str
) -> None:
    body = json.dumps({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": entries})
    replay.raw("/data.json", body.encode(), content_type)
    source, _ = HarvestSource.objects.get_or_create(
        name="data.json", kind="dcat", url=replay.url("/data.json")
    )
    _harvest(source)


@FEW
@given(
    st.binary(max_size=600), st.sampled_from(["text/turtle", "application/rdf+xml", "application/n-triples"])
)
def test_rdf_catalogues_of_any_bytes(replay: Replay, body: bytes, content_type: str) -> None:
    replay.raw("/catalog", body, content_type)
    source, _ = HarvestSource.objects.get_or_create(name="rdf", kind="dcat", url=replay.url("/catalog"))
    _harvest(source)
