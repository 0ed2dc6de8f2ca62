"""In a real Chromium: a coordinator filters the jobs page to the failed jobs; axe finds nothing serious."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.browser import axe_violations, chromium_page
from tests.operations.test_jobs_page import HARVEST_FAILURE, Jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_filters_the_failed_jobs_and_the_page_passes_axe(
    live_server: Any, coordinator_client: Client, small_referentiel: Any
) -> None:
    jobs = Jobs(small_referentiel)
    jobs.run()
    jobs.run(status="success", message="120 jeux vus, 3 nouveaux")
    cookie = coordinator_client.cookies["sessionid"]
    with chromium_page() as page:
        page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        page.goto(f"{live_server.url}/coordination/")
        page.get_by_role("link", name="Tâches de la plateforme").click()
        assert page.get_by_role("heading", name="Tâches de la plateforme").is_visible()
        assert page.get_by_text("2 tâches.").is_visible()
        page.get_by_label("État").select_option("echec")
        page.get_by_role("button", name="Filtrer").click()
        assert page.get_by_text("1 tâche.").is_visible()
        assert page.get_by_text(HARVEST_FAILURE).is_visible()
        assert axe_violations(page) == []
