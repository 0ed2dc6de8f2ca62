"""axe-core's WCAG 2.1 A and AA rules, every impact, on each page of the programme, the ATDs and accounts.

The pages are filled by the demonstration (``odl load_demo``) so that tables, forms and histories have
rows; each persona opens the pages it uses. The public pages and the sign-in and invitation pages are
also checked at a phone's width (375 px), where people often open an e-mailed link.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from odl.accounts.models import Invitation
from odl.atds.models import Atd
from odl.programme import demo
from odl.programme.models import Etd, Licence, Resource, Visibility
from tests import personas
from tests.browser import axe_violations, chromium_page
from tests.programme.pages_helpers import atd_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
DEMO_PASSWORD = "odl-demo-2026"


@pytest.fixture
def demo_atd(small_referentiel: Any, monkeypatch: pytest.MonkeyPatch) -> Atd:
    monkeypatch.setattr("odl.programme.demo.pdf_available", lambda: False)  # no LibreOffice run: faster
    call_command("load_demo", stdout=io.StringIO())
    atd = Atd.objects.get(slug=demo.DEMO_SLUG)
    Resource.objects.create(
        title="Guide national : publier ses données",
        kind="fiche",
        visibility=Visibility.NATIONAL,
        licence=Licence.CC_BY_SA,
        tags=["guide"],
    )
    return atd


def urls(atd: Atd) -> dict[str, list[str]]:
    public = Resource.objects.get(visibility=Visibility.NATIONAL)
    agent_etd = Etd.objects.get(atd=atd, territory__etd_agents__user__username="demo-agent-etd")
    s = atd.slug
    return {
        "public": [
            "/reseau/",
            f"/reseau/{s}/",
            "/reseau/sans-atd/35/",
            "/ressources/",
            f"/ressources/{public.pk}/",
            "/comptes/connexion/",
            "/comptes/mot-de-passe/oubli/",
        ],
        "atd_admin": [*atd_pages(atd), "/ressources/", "/comptes/", "/comptes/securite/"],
        "etd_agent": [f"/suivi/{s}/etd/{agent_etd.pk}/", "/comptes/", "/ressources/"],
        "coordinator": ["/coordination/", "/reseau/nouveau/", f"/suivi/{s}/tableau-de-bord/"],
    }


def signed_in_as(page: Any, base: str, user: Any) -> None:
    """Give the browser the session of ``user`` (the sign-in page itself is checked on its own)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


def sweep(
    page: Any, base: str, paths: list[str], gone: tuple[str, ...] = ()
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for path in paths:
        response = page.goto(f"{base}{path}")
        expected = 410 if path in gone else 200
        assert response is not None and response.status == expected, (path, response and response.status)
        found = axe_violations(page, impacts=ALL_IMPACTS)
        if found:
            yield path, found


@pytest.mark.parametrize("who", ["atd_admin", "etd_agent", "coordinator"])
def test_the_pages_each_persona_uses_pass_axe(live_server: Any, demo_atd: Atd, who: str) -> None:
    users = get_user_model().objects
    user = {
        "atd_admin": lambda: users.get(username="atd"),
        "etd_agent": lambda: users.get(username="demo-agent-etd"),
        "coordinator": personas.coordinator,
    }[who]()
    with chromium_page() as page:
        page.set_viewport_size(DESKTOP)
        signed_in_as(page, live_server.url, user)
        problems = dict(sweep(page, live_server.url, urls(demo_atd)[who]))
    assert problems == {}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_public_sign_in_and_invitation_pages_pass_axe(
    live_server: Any, demo_atd: Atd, viewport: dict[str, int]
) -> None:
    admin = get_user_model().objects.get(username="atd")
    _, token = Invitation.issue(email="nouveau@example.org", atd=demo_atd, role="animateur", created_by=admin)
    used, used_token = Invitation.issue(email="ancien@example.org", atd=demo_atd, role="animateur")
    used.revoke()
    with_code = personas.atd_agent("gaelle", atd_name=demo_atd.name)
    TOTPDevice.objects.create(user=with_code, name="téléphone", confirmed=True)
    paths = [*urls(demo_atd)["public"], f"/comptes/invitation/{token}/", f"/comptes/invitation/{used_token}/"]
    with chromium_page() as page:
        page.set_viewport_size(viewport)
        problems = dict(sweep(page, live_server.url, paths, gone=(f"/comptes/invitation/{used_token}/",)))
        # The second step of a sign-in with two-factor authentication: the code page.
        page.goto(f"{live_server.url}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("gaelle")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/connexion/code/**")
        found = axe_violations(page, impacts=ALL_IMPACTS)
        if found:
            problems["/comptes/connexion/code/"] = found
        # Nothing wider than the screen: a phone user never scrolls sideways to read a page.
        if viewport == PHONE:
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                width = page.evaluate("() => document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems[path] = [{"id": "horizontal-scroll", "width": width}]
    assert problems == {}
