"""django-axes: repeated wrong passwords lock an account out, from this address, for a cool-off."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests import personas

LOGIN = "/comptes/connexion/"


def attempt(client: Client, password: str) -> Any:
    return client.post(LOGIN, {"username": "alice", "password": password})


def test_the_limit_and_cool_off_come_from_settings(settings: pytest.FixtureRequest) -> None:
    assert settings.AXES_FAILURE_LIMIT == settings.ODL_LOGIN_FAILURE_LIMIT == 5  # type: ignore[attr-defined]
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)  # type: ignore[attr-defined]


def test_five_wrong_passwords_lock_the_account_with_a_french_page(atd_agent: Any) -> None:
    client = Client()
    for _ in range(4):
        assert "Identifiant ou mot de passe incorrect" in html.unescape(
            attempt(client, "faux").content.decode()
        )
    locked = attempt(client, "faux")
    assert locked.status_code == 429
    page = html.unescape(locked.content.decode())
    assert "Connexion bloquée" in page and "15 minutes" in page
    # Even the right password is refused while locked.
    assert attempt(client, personas.PASSWORD).status_code == 429


def test_the_right_password_works_again_after_the_cool_off(atd_agent: Any) -> None:
    client = Client()
    for _ in range(5):
        attempt(client, "faux")
    assert attempt(client, personas.PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, personas.PASSWORD)
    assert response.status_code == 302
    assert client.get("/comptes/").status_code == 200


def test_a_success_before_the_limit_starts_the_count_again(atd_agent: Any) -> None:
    client = Client()
    for _ in range(4):
        attempt(client, "faux")
    assert attempt(client, personas.PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_limit_is_a_setting(atd_agent: Any, settings: pytest.FixtureRequest) -> None:
    settings.AXES_FAILURE_LIMIT = 2  # type: ignore[attr-defined]
    client = Client()
    attempt(client, "faux")
    assert attempt(client, "faux").status_code == 429


def test_the_admin_signs_in_through_the_same_guarded_page(coordinator: Any) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=/admin/"
    client = Client()
    for _ in range(5):
        client.post(LOGIN, {"username": "claire", "password": "faux", "next": "/admin/"})
    assert client.post(LOGIN, {"username": "claire", "password": personas.PASSWORD}).status_code == 429


def test_wrong_two_factor_codes_count_as_failures_too(
    atd_agent: Any, settings: pytest.FixtureRequest
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # type: ignore[attr-defined]
    TOTPDevice.objects.create(user=atd_agent, name="app", confirmed=True)
    client = Client()
    attempt(client, personas.PASSWORD)
    for _ in range(4):
        assert client.post("/comptes/connexion/code/", {"code": "000000"}).status_code == 200
    assert client.post("/comptes/connexion/code/", {"code": "000000"}).status_code == 429
