"""A collectivité page is kept whole for visitors without a session, and a new harvest is seen at once."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from odl.harvest.models import HarvestedDataset, HarvestRun
from odl.harvest.signals import harvest_finished
from tests.observatory.conftest import make_dataset


def _get(client: Any, url: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured.captured_queries)


def test_a_kept_collectivite_page_sees_a_new_dataset_and_a_new_harvest(client, harvested, atd_agent):
    rennes = harvested.publishers["rennes"].territory
    url = rennes.get_absolute_url()
    first, first_queries = _get(client, url)
    assert "Budget" in first.content.decode()
    again, again_queries = _get(client, url)
    assert again.content == first.content and again_queries == 0 < first_queries
    # A dataset saved one by one (the admin, a correction) bumps the token: the next visit sees it.
    make_dataset(harvested.datagouv, harvested.publishers["rennes"], "r-3", title="Délibérations")
    assert "Délibérations" in _get(client, url)[0].content.decode()
    # A harvest writes in bulk, without signals: its end is what the page waits for.
    HarvestedDataset.objects.bulk_create(
        [
            HarvestedDataset(
                source=harvested.datagouv,
                publisher=harvested.publishers["rennes"],
                remote_id="r-4",
                title="Marchés publics",
                url="https://example.org/r-4",
            )
        ]
    )
    assert "Marchés publics" not in _get(client, url)[0].content.decode()
    harvest_finished.send(sender=HarvestRun)
    assert "Marchés publics" in _get(client, url)[0].content.decode()
    # A signed-in visitor's page is rendered for them.
    client.force_login(atd_agent)
    signed_in, signed_in_queries = _get(client, url)
    assert signed_in.context is not None and signed_in_queries > 0
