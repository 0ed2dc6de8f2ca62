"""The data space and the public page run as many queries for 3N datasets or versions as for N."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from odl.programme.models import Etd
from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from tests.core.test_query_counts import assert_queries_do_not_grow
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

pytestmark = pytest.mark.django_db
TABLE = (",".join(SUB_HEADER) + "\n" + ",".join(f'"{v}"' for v in SUB_GOOD) + "\n").encode()


def test_the_data_space_does_not_query_per_dataset(etd_client: Client, etd: Etd, etd_agent: Any) -> None:
    from tests import personas

    staff = personas.animateur()

    def grow(n: int) -> None:
        for i in range(n):
            dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title=f"Jeu {i}")
            publish(dataset, TABLE, known("subventions"), by=staff if i % 2 else etd_agent, valid=True)

    assert_queries_do_not_grow(etd_client, f"/suivi/{etd.atd.slug}/etd/{etd.pk}/donnees/", grow)


def test_the_public_page_does_not_query_per_version(etd: Etd, etd_agent: Any) -> None:
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions")

    def grow(n: int) -> None:
        for _ in range(n):
            publish(dataset, TABLE, known("subventions"), by=etd_agent, valid=True)

    assert_queries_do_not_grow(Client(), f"/donnees/{dataset.pk}/", grow)


def test_the_dataset_page_does_not_query_per_version(etd_client: Client, etd: Etd, etd_agent: Any) -> None:
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions")

    def grow(n: int) -> None:
        for _ in range(n):
            publish(dataset, TABLE, known("subventions"), by=etd_agent, valid=True)

    assert_queries_do_not_grow(etd_client, dataset.space_url(), grow)


def test_the_api_list_does_not_query_per_dataset(etd: Etd, etd_agent: Any) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title=f"Jeu {i}")
            publish(dataset, TABLE, known("subventions"), by=etd_agent, valid=True)

    assert_queries_do_not_grow(Client(), "/api/donnees", grow)


def test_the_api_dataset_does_not_query_per_version(etd: Etd, etd_agent: Any) -> None:
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions")

    def grow(n: int) -> None:
        for _ in range(n):
            publish(dataset, TABLE, known("subventions"), by=etd_agent, valid=True)

    assert_queries_do_not_grow(Client(), f"/api/donnees/{dataset.pk}", grow)
