"""Right identities: GeoNetwork record URIs stay apart, and a data.gouv.fr copy finds its original by
the harvest block's remote id, or by its original's page when an export has no id."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from harvest_replay import Replay, paged_datagouv

from odl.harvest.harvesters.cleaning import page_key, uri_key
from odl.harvest.harvesters.runner import deduplicate, run_source
from odl.harvest.models import HarvestedDataset, HarvestSource

pytestmark = pytest.mark.django_db

GEONETWORK = "https://geo.example.fr/geonetwork/srv/fre/catalog.search#/metadata/"
UUIDS = [
    "0437a976-cff1-4fa6-807a-c23006df2f8f",
    "5a26b0f6-0ccf-46ad-ac58-734054b91977",
    "f40c3860-7236-4b30-a141-23b8ae33f7b2",
]


def geonetwork_rdf(landing: bool = True) -> bytes:
    """A GeoNetwork DCAT export: every dataset URI is the same page with a ``#/metadata/<uuid>`` route."""
    datasets = "".join(
        f"""
  <dcat:Dataset rdf:about="{GEONETWORK}{uuid}">
    <dct:identifier>{uuid}</dct:identifier>
    <dct:title>Plan local d'urbanisme, pièce {number}</dct:title>
    <dct:publisher><foaf:Organization><foaf:name>Commune de Gap</foaf:name></foaf:Organization></dct:publisher>
    {f'<dcat:landingPage rdf:resource="https://geo.example.fr/fiches/{uuid}"/>' if landing else ""}
  </dcat:Dataset>"""
        for number, uuid in enumerate(UUIDS)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"
         xmlns:dct="http://purl.org/dc/terms/" xmlns:foaf="http://xmlns.com/foaf/0.1/">
  <dcat:Catalog rdf:about="https://geo.example.fr/geonetwork/srv/fre/catalog.search">
    {"".join(f'<dcat:dataset rdf:resource="{GEONETWORK}{uuid}"/>' for uuid in UUIDS)}
  </dcat:Catalog>{datasets}
</rdf:RDF>""".encode()


def test_a_geonetwork_route_fragment_is_part_of_the_identity() -> None:
    assert uri_key(GEONETWORK + UUIDS[0]) != uri_key(GEONETWORK + UUIDS[1])
    assert uri_key(GEONETWORK + UUIDS[0]).endswith("#/metadata/" + UUIDS[0])
    # A plain anchor is still not part of a dataset's identity.
    assert uri_key("https://www.example.fr/jeux/1#ressources") == uri_key("https://example.fr/jeux/1/")
    assert page_key("https://www.example.fr/jeux/1/") == "page:example.fr/jeux/1"


def test_geonetwork_records_do_not_collapse_onto_one(replay: Replay) -> None:
    replay.raw("/dcat", geonetwork_rdf(), "application/rdf+xml")
    source = HarvestSource.objects.create(name="GeoNetwork", kind="dcat", url=replay.url("/dcat"))
    assert run_source(source).status == "success"
    deduplicate()
    keys = set(source.datasets.values_list("dedup_key", flat=True))
    assert len(keys) == 3
    assert not source.datasets.filter(duplicate_of__isnull=False).exists()


def datagouv_copy(number: int, harvest: dict[str, str], title: str) -> dict[str, Any]:
    """A dataset of data.gouv.fr API v1 harvested from the GeoNetwork portal (its ``harvest`` block)."""
    return {
        "id": f"60aa00000000000000000{number:03d}",
        "title": title,
        "slug": f"copie-{number}",
        "page": f"https://www.data.gouv.fr/fr/datasets/copie-{number}/",
        "description": "",
        "organization": {"id": "org-gap", "name": "Commune de Gap", "business_number_id": ""},
        "resources": [],
        "tags": [],
        "harvest": harvest,
    }


def test_a_copy_with_a_remote_id_points_to_its_original(replay: Replay) -> None:
    replay.raw("/dcat", geonetwork_rdf(), "application/rdf+xml")
    local = HarvestSource.objects.create(name="GeoNetwork", kind="dcat", url=replay.url("/dcat"))
    copy = datagouv_copy(
        1,
        {
            "backend": "DCAT",
            "domain": "geo.example.fr",
            "remote_id": GEONETWORK + UUIDS[1],
            "remote_url": "https://geo.example.fr/autre-page",
        },
        # data.gouv.fr's copy bears another title: only the identity links them.
        "PLU — pièce 1 (copie moissonnée)",
    )
    paged_datagouv(replay, [copy])
    national = HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=replay.url())
    assert run_source(local).status == run_source(national).status == "success"
    deduplicate()
    original = local.datasets.get(remote_id=GEONETWORK + UUIDS[1])
    assert national.datasets.get().duplicate_of == original
    assert original.duplicate_of is None


def export_csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";", quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_in_csv_export_mode_a_copy_without_remote_id_is_found_by_its_original_page(replay: Replay) -> None:
    replay.raw("/dcat", geonetwork_rdf(), "application/rdf+xml")
    local = HarvestSource.objects.create(name="GeoNetwork", kind="dcat", url=replay.url("/dcat"))
    columns = [
        "id",
        "title",
        "url",
        "organization",
        "organization_id",
        "harvest.backend",
        "harvest.remote_url",
    ]
    rows = [
        {
            "id": "60aa00000000000000000002",
            "title": "Un autre titre que l'original",
            "url": "https://www.data.gouv.fr/fr/datasets/copie-2/",
            "organization": "Commune de Gap",
            "organization_id": "org-gap",
            "harvest.backend": "DCAT",
            # The original's landing page, written with www. and a trailing slash.
            "harvest.remote_url": f"https://www.geo.example.fr/fiches/{UUIDS[2]}/",
        },
        {
            "id": "60aa00000000000000000003",
            "title": "Jeu sans original connu",
            "url": "https://www.data.gouv.fr/fr/datasets/copie-3/",
            "organization": "Commune de Gap",
            "organization_id": "org-gap",
            "harvest.backend": "DCAT",
            "harvest.remote_url": "https://geo.example.fr/fiches/inconnue",
        },
    ]
    replay.raw("/export-dataset.csv", export_csv(rows, columns), "text/csv")
    national = HarvestSource.objects.create(
        name="export", kind="datagouv", url=replay.url("/export-dataset.csv")
    )
    assert run_source(local).status == run_source(national).status == "success"
    deduplicate()
    original = local.datasets.get(remote_id=GEONETWORK + UUIDS[2])
    assert national.datasets.get(remote_id=rows[0]["id"]).duplicate_of == original
    assert national.datasets.get(remote_id=rows[1]["id"]).duplicate_of is None
    # Counted once: the original and the unknown copy.
    assert HarvestedDataset.objects.current().filter(duplicate_of__isnull=True).count() == 4


def test_the_harvest_block_remote_id_wins_over_the_remote_url() -> None:
    from odl.harvest.harvesters.datagouv import origin_key

    block = {"backend": "DCAT", "remote_id": GEONETWORK + UUIDS[0], "remote_url": "https://geo.example.fr/x"}
    assert origin_key(block) == uri_key(GEONETWORK + UUIDS[0])
    assert (
        origin_key({"backend": "DCAT", "remote_url": "https://geo.example.fr/x"}) == "page:geo.example.fr/x"
    )
    assert json.dumps(origin_key({})) == '""'
