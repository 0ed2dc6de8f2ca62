"""The demonstration says so on every page of its ATD, and a real ATD's pages never do."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from odl.atds.models import Atd
from odl.programme import demo
from tests import personas
from tests.programme.pages_helpers import atd_pages, furnish

pytestmark = pytest.mark.django_db
BANNER = 'data-testid="demo-banner"'


@pytest.fixture
def demo_atd(small_referentiel: Any, monkeypatch: pytest.MonkeyPatch) -> Atd:
    monkeypatch.setattr("odl.programme.demo.pdf_available", lambda: False)  # no LibreOffice run: faster
    call_command("load_demo", stdout=io.StringIO())
    return Atd.objects.get(slug=demo.DEMO_SLUG)


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return html.unescape(response.content.decode())


def test_every_page_of_the_demo_atd_carries_the_banner_once(demo_atd: Atd) -> None:
    admin = personas.logged_in(get_user_model().objects.get(username="atd"))
    for path in atd_pages(demo_atd):
        text = page(admin, path)
        assert text.count(BANNER) == 1, path
        assert "<code>odl load_demo</code> pour découvrir la plateforme : ils sont fictifs" in text, path
        assert f"« {demo.DEMO_NAME} »" in text, path


def test_the_demo_etd_agent_and_a_visitor_see_it_too(demo_atd: Atd) -> None:
    agent = get_user_model().objects.get(username="demo-agent-etd")
    etd = demo_atd.etds.get(territory__etd_agents__user=agent)
    assert page(personas.logged_in(agent), f"/suivi/{demo_atd.slug}/etd/{etd.pk}/").count(BANNER) == 1
    assert page(Client(), f"/reseau/{demo_atd.slug}/").count(BANNER) == 1


def test_a_real_atds_pages_have_no_banner(atd_agent: Any, atd_client: Client) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    furnish(atd, atd_agent)
    for path in atd_pages(atd):
        text = page(atd_client, path)
        assert BANNER not in text and "Démonstration" not in text, path


def test_pages_of_no_atd_have_no_banner(demo_atd: Atd, coordinator_client: Client) -> None:
    # The demo exists, yet the pages that belong to no ATD in particular stay unlabelled.
    for path in ("/", "/reseau/", "/ressources/", "/coordination/", "/comptes/", "/ciblage/"):
        assert BANNER not in page(coordinator_client, path), path
