"""The public harvest API, data.gouv.fr's bulk CSV export and SCDL detection."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from harvest_replay import Replay, serve_udata_fixtures

from odl.harvest.harvesters.items import HarvestedItem
from odl.harvest.harvesters.runner import run_source
from odl.harvest.harvesters.scdl import detect_schemas, normalise_schema_name
from odl.harvest.models import HarvestedDataset, HarvestSource

pytestmark = pytest.mark.django_db


def test_the_api_lists_sources_runs_datasets_and_the_mapping(
    client: Client, replay: Replay, harvest_data: Path, small_referentiel: Path
) -> None:
    serve_udata_fixtures(replay, harvest_data)
    source = HarvestSource.objects.create(name="dg", kind="datagouv", url=replay.url())
    run_source(source)
    assert client.get("/api/observatoire/sources").json()[0]["name"] == "dg"
    runs = client.get(f"/api/observatoire/sources/{source.pk}/passages").json()
    assert (runs[0]["status"], runs[0]["items_new"]) == ("success", 15)
    page = client.get("/api/observatoire/jeux?page_size=10").json()
    assert (page["count"], len(page["results"])) == (15, 10)
    irve = client.get("/api/observatoire/jeux?schema_id=etalab/schema-irve-statique").json()
    assert [d["title"][:17] for d in irve["results"]] == ["Mairie de Montluel"[:17]]
    mapping = client.get("/api/observatoire/editeurs?status=not_collectivite").json()
    assert mapping["count"] >= 5
    assert "decided_by" not in mapping["results"][0]


def _export_csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";", quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_the_bulk_csv_export_of_data_gouv_is_harvested(replay: Replay, harvest_data: Path) -> None:
    """The export-dataset / export-organization CSV files, built from the real records, columns by name."""
    import json

    bundles = json.loads((harvest_data / "datagouv/udata-fixtures-results.json").read_text())["datasets"]
    organisations = {b["organization"]["id"]: b["organization"] for b in bundles}
    org_columns = ["id", "name", "acronym", "slug", "business_number_id", "created_at"]
    replay.raw(
        "/export-organization.csv",
        _export_csv([{k: o.get(k) or "" for k in org_columns} for o in organisations.values()], org_columns),
        "text/csv",
    )
    dataset_columns = [
        "id",
        "title",
        "slug",
        "url",
        "organization",
        "organization_id",
        "description",
        "license",
        "created_at",
        "last_modified",
        "tags",
        "archived",
        "harvest.backend",
        "harvest.domain",
        "harvest.remote_id",
        "harvest.remote_url",
    ]
    rows = []
    for b in bundles:
        d, harvest = b["dataset"], b["dataset"].get("harvest") or {}
        rows.append(
            {
                "id": d["id"],
                "title": d["title"],
                "slug": d["slug"],
                "url": f"https://www.data.gouv.fr/fr/datasets/{d['slug']}/",
                "organization": b["organization"]["name"],
                "organization_id": b["organization"]["id"],
                "description": d["description"],
                "license": d.get("license") or "",
                "created_at": d.get("created_at_internal") or "",
                "last_modified": d.get("last_modified_internal") or "",
                "tags": ",".join(d.get("tags") or []),
                "archived": "False",
                "harvest.backend": harvest.get("backend", ""),
                "harvest.domain": harvest.get("domain", ""),
                "harvest.remote_id": harvest.get("remote_id", ""),
                "harvest.remote_url": harvest.get("remote_url", ""),
            }
        )
    replay.raw("/export-dataset.csv", _export_csv(rows, dataset_columns), "text/csv")
    source = HarvestSource.objects.create(
        name="export",
        kind="datagouv",
        url=replay.url("/export-dataset.csv"),
        filters={"organisations_csv": replay.url("/export-organization.csv")},
    )
    run = run_source(source)
    assert (run.status, run.items_seen) == ("success", 15)
    sixt = HarvestedDataset.objects.get(title__contains="Sixt-sur-Aff")
    assert sixt.publisher.business_number == "21350328700012"
    garein = HarvestedDataset.objects.get(title__contains="Garein")
    assert garein.dedup_key == "ckan:f89661e0-bc0a-44f7-928e-03b43a2e7791"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("scdl/subventions", "scdl/subventions"),
        ("https://schema.data.gouv.fr/scdl/deliberations/2.1.5/schema.json", "scdl/deliberations"),
        ("etalab/schema-irve-statique", "etalab/schema-irve-statique"),
        ("etalab/schema-vehicules-faibles-emissions-renouvellement-parc", ""),
    ],
)
def test_declared_schema_names_map_to_scdl_ids(name: str, expected: str) -> None:
    assert normalise_schema_name(name) == expected


def test_titles_and_tags_only_count_with_an_scdl_mention() -> None:
    assert detect_schemas(HarvestedItem(remote_id="1", title="Subventions 2023", tags=["scdl"])) == [
        "scdl/subventions"
    ]
    assert detect_schemas(HarvestedItem(remote_id="2", title="Subventions aux associations")) == []
    assert detect_schemas(HarvestedItem(remote_id="3", title="Délibérations du conseil (SCDL)")) == [
        "scdl/deliberations"
    ]
