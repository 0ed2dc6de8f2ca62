"""Content-Security-Policy without 'unsafe-inline', rate limits with 429, and the API's CSRF and 422 rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

ODL = Path(__file__).resolve().parents[2] / "odl"
TEMPLATES = sorted(p for p in ODL.rglob("templates/**/*.html"))
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def inline_code(text: str) -> list[str]:
    """What the policy would block in a template: inline scripts, handlers, styles, javascript: URLs."""
    found = []
    for match in SCRIPT.finditer(text):
        attributes = match.group(1)
        if "src=" not in attributes and "application/json" not in attributes and "ld+json" not in attributes:
            found.append(f"<script{attributes}> en ligne")
    found += [f"gestionnaire en ligne : {m.group(0)[-40:]}" for m in HANDLER.finditer(text)]
    found += [f"style en ligne : {m.group(0)[:40]}" for m in INLINE_STYLE.finditer(text)]
    found += [f"URL javascript: : {m.group(0)}" for m in JAVASCRIPT_URL.finditer(text)]
    return found


def test_the_scan_sees_what_the_policy_blocks() -> None:
    assert inline_code('<script>alert(1)</script><a onclick="x()">') == [
        "<script> en ligne",
        "gestionnaire en ligne : <a onclick=",
    ]
    assert (
        inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []
    )


def test_no_template_has_inline_script_handler_or_style() -> None:
    assert TEMPLATES, "aucun gabarit trouvé"
    problems = [
        f"{path.relative_to(ODL.parent)} : {problem}"
        for path in TEMPLATES
        for problem in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/observatoire/carte/", "/validation/", "/api/docs"])
def test_every_page_carries_a_policy_without_unsafe_inline(client: Client, url: str) -> None:
    response = client.get(url)
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives.get("script-src") == "'self'"
    assert directives.get("default-src") == "'self'"
    assert directives.get("object-src") == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


# ---------------------------------------------------------------- rate limits


@pytest.fixture
def limited(settings: Any) -> None:
    # Hourly windows: a test never straddles the end of one.
    settings.RATELIMIT_ENABLE = True
    settings.ODL_RATELIMIT_API = "3/h"
    settings.ODL_RATELIMIT_PAGES = "2/h"
    cache.clear()


@pytest.mark.django_db
def test_the_api_answers_429_with_retry_after_in_french_past_its_rate(limited: None, client: Client) -> None:
    answers = [client.get("/api/schemas").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    refused = client.get("/api/observatoire/sources")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"].startswith("Trop de requêtes depuis votre adresse : réessayez dans ")
    # Another address has its own counter.
    assert client.get("/api/schemas", REMOTE_ADDR="192.0.2.7").status_code == 200


@pytest.mark.django_db
def test_an_expensive_public_page_answers_429_as_a_french_page(
    limited: None, small_referentiel: Path, client: Client
) -> None:
    url = reverse("territories:search")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Trop de requêtes" in refused.content.decode()
    # Pages that cost little are not counted.
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_limits_can_be_switched_off(settings: Any, client: Client) -> None:
    settings.RATELIMIT_ENABLE = False
    settings.ODL_RATELIMIT_API = "1/h"
    cache.clear()
    assert {client.get("/api/schemas").status_code for _ in range(3)} == {200}


# ---------------------------------------------------------------- /api/validate: CSRF and 422


CSV = b"a,b\n1,2\n"


@pytest.mark.django_db
def test_validate_with_a_session_and_no_csrf_token_is_refused(coordinator: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    response = browser.post("/api/validate", {"schema": "auto"})
    assert response.status_code == 403
    assert "Jeton CSRF" in response.json()["detail"]


@pytest.mark.django_db
def test_validate_with_a_session_and_its_csrf_token_goes_through(coordinator: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    browser.get(reverse("schemas:validate"))
    token = browser.cookies["csrftoken"].value
    response = browser.post("/api/validate", {"schema": "auto"}, HTTP_X_CSRFTOKEN=token)
    # Past the CSRF check: the missing file is what is reported.
    assert response.status_code == 422


@pytest.mark.django_db
def test_validate_without_a_session_needs_no_token_and_its_422_is_french() -> None:
    script = Client(enforce_csrf_checks=True)
    response = script.post("/api/validate", {"schema": "auto"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["file", "file"], "type": "missing", "msg": "file (fichier) : champ obligatoire absent"}
    ]


@pytest.mark.django_db
def test_a_bad_query_parameter_is_explained_in_french(client: Client) -> None:
    response = client.get("/api/observatoire/jeux", {"page": "deux"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["msg"] == "page (paramètre) : nombre entier attendu"
