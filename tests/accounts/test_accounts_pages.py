"""Sign-in, password reset, my account, the header's role line, and every accounts view's policy."""

from __future__ import annotations

import html
import re
import runpy
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, get_resolver

from odl.accounts import views
from odl.accounts.access import policy_of
from tests import personas
from tests.conftest import REPO

SETTINGS = str(REPO / "odl" / "settings.py")


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_sign_in_page_speaks_french_and_offers_a_password_reset(db: None) -> None:
    page = text(Client().get("/comptes/connexion/"))
    assert "Mot de passe oublié ?" in page and "Identifiant" in page


def test_signing_in_leads_to_my_account(atd_agent: Any) -> None:
    response = Client().post("/comptes/connexion/", {"username": "alice", "password": personas.PASSWORD})
    assert response["Location"] == "/comptes/"


def test_a_forgotten_password_is_reset_through_the_emailed_link(atd_agent: Any) -> None:
    client = Client()
    response = client.post("/comptes/mot-de-passe/oubli/", {"email": "alice@example.org"})
    assert response["Location"] == "/comptes/mot-de-passe/oubli/envoye/"
    body = mail.outbox[-1].body
    assert "choisir un nouveau mot de passe" in body
    link = re.search(r"http://testserver(/comptes/mot-de-passe/nouveau/\S+/)", body)
    assert link, body
    form_page = client.get(link.group(1), follow=True)
    assert "Nouveau mot de passe" in text(form_page)
    new = "un tout nouveau mot de passe"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/comptes/mot-de-passe/nouveau/fait/"
    assert Client().post("/comptes/connexion/", {"username": "alice", "password": new}).status_code == 302


def test_e_mail_goes_to_the_console_unless_an_smtp_host_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    assert runpy.run_path(SETTINGS)["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("EMAIL_PORT", "2525")
    smtp = runpy.run_path(SETTINGS)
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert smtp["EMAIL_PORT"] == 2525


def test_my_account_lists_my_atds_and_roles(atd_agent: Any) -> None:
    page = text(personas.logged_in(atd_agent).get("/comptes/"))
    assert "ATD Ille-et-Vilaine" in page and "Administrateur de l'ATD" in page and "Gérer l'équipe" in page


def test_my_account_shows_an_etd_agent_his_commune(etd_client: Client) -> None:
    assert "Rennes, accompagnée par l'ATD « ATD Ille-et-Vilaine »" in text(etd_client.get("/comptes/"))


def test_the_header_shows_who_i_am_and_links_to_my_team_and_security(atd_client: Client) -> None:
    page = text(atd_client.get("/comptes/"))
    assert "Alice — administration de l'ATD « ATD Ille-et-Vilaine »" in page
    assert 'href="/comptes/atd/atd-ille-et-vilaine/equipe/">Mon équipe' in page
    assert 'href="/comptes/securite/"' in page


@pytest.mark.parametrize(
    ("persona", "words"),
    [
        ("animateur_client", "Bruno — animation de l'ATD"),
        ("coordinator_client", "Claire Coordinatrice — coordination nationale"),
        ("etd_client", "Étienne Agent de Rennes — agent de Rennes"),
    ],
)
def test_the_header_names_each_role(persona: str, words: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(persona)
    page = text(client.get("/comptes/"))
    assert words in page
    assert "Mon équipe" not in page


def test_my_account_needs_to_be_signed_in(db: None) -> None:
    assert Client().get("/comptes/")["Location"].startswith("/comptes/connexion/")


def test_every_accounts_view_declares_its_access_policy() -> None:
    expected = {
        "account": "signed_in",
        "security": "signed_in",
        "login_code": "public",
        "invitation": "public",
        "password_reset": "public",
        "password_reset_confirm": "public",
        "team": "atd_admin",
        "revoke_invitation": "atd_admin",
    }
    patterns = {p.name: p for p in views.urlpatterns if isinstance(p, URLPattern)}
    for name, policy in expected.items():
        assert policy_of(patterns[name].callback) == policy, name
    assert all(policy_of(p.callback) for p in patterns.values())
    root = {p.name: p for p in get_resolver().url_patterns if isinstance(p, URLPattern)}
    assert policy_of(root["login"].callback) == policy_of(root["logout"].callback) == "public"
