"""The account page of personal API tokens: created, shown once, hashed at rest, revoked → 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from odl.accounts.models import ApiToken
from tests import personas

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_works_then_is_revoked(etd_client: Client, etd_agent: Any) -> None:
    created = etd_client.post("/comptes/jetons-api/", {"name": "logiciel de gestion"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=etd_agent)
    page = created.content.decode()
    start = page.index("odl_")
    key = page[start : page.index("<", start)]
    assert ApiToken.hash_token(key) == token.token_hash and token.hint == key[:10]
    assert "il ne sera plus affiché" in page
    again = etd_client.get("/comptes/jetons-api/").content.decode()
    assert key not in again and f"{token.hint}…" in again and "jamais" in again
    api = Client()
    assert api.get("/api/donnees", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    listed = api.post("/api/donnees/1/versions", headers={"Authorization": f"Bearer {key}"})
    assert listed.status_code == 404  # the key is accepted: no such dataset
    token.refresh_from_db()
    assert token.last_used_at is not None
    revoked = etd_client.post(f"/comptes/jetons-api/{token.pk}/revoquer/")
    assert revoked.status_code == 302
    refused = api.post("/api/donnees/1/versions", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401 and "révoqué" in refused.json()["detail"]
    assert "révoqué le" in etd_client.get("/comptes/jetons-api/").content.decode()


def test_a_token_needs_a_name_and_only_its_owner_revokes_it(etd_client: Client, atd_agent: Any) -> None:
    refused = etd_client.post("/comptes/jetons-api/", {"name": "  "})
    assert refused.status_code == 400 and "Donnez un nom au jeton" in refused.content.decode()
    token, _key = ApiToken.issue(atd_agent, "ATD")
    assert etd_client.post(f"/comptes/jetons-api/{token.pk}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_account_page_leads_to_the_tokens(etd_client: Client) -> None:
    assert "/comptes/jetons-api/" in etd_client.get("/comptes/").content.decode()
    assert personas.citizen().get("/comptes/jetons-api/").status_code == 302
