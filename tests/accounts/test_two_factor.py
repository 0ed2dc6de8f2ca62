"""TOTP two-factor authentication, driven with real codes computed the way an authenticator app does."""

from __future__ import annotations

import html
import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import personas


@pytest.fixture(autouse=True)
def _no_wait_after_a_wrong_code(settings: pytest.FixtureRequest) -> None:
    # django-otp makes a user wait a second after a wrong code; these tests type the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # type: ignore[attr-defined]
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # type: ignore[attr-defined]


def code_at(device: TOTPDevice, steps_from_now: int = 0) -> str:
    """The code the app shows now, or a step later (a code is never accepted twice, and the device
    accepts one step of clock difference)."""
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = time.time() + steps_from_now * device.step
    return f"{totp.token():0{device.digits}d}"


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def enable(client: Client, user: Any) -> list[str]:
    page = text(client.get("/comptes/securite/"))
    assert "<svg" in page and "Code QR" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/comptes/securite/", {"action": "confirm", "code": code_at(device)})
    assert "La double authentification est activée" in text(response)
    return [
        line.split("<code>")[1].split("</code>")[0]
        for line in text(response).split("<li>")
        if "<code>" in line
    ]


def sign_in(client: Client, username: str) -> Any:
    return client.post("/comptes/connexion/", {"username": username, "password": personas.PASSWORD})


def test_a_user_turns_it_on_and_sign_in_then_asks_for_the_code(atd_agent: Any) -> None:
    backup = enable(personas.logged_in(atd_agent), atd_agent)
    assert len(backup) == 10
    device = TOTPDevice.objects.get(user=atd_agent, confirmed=True)

    browser = Client()
    response = sign_in(browser, "alice")
    assert response["Location"] == "/comptes/connexion/code/"
    assert browser.get("/comptes/").status_code == 302  # not signed in before the code
    wrong = browser.post("/comptes/connexion/code/", {"code": "000000"})
    assert "Ce code n'est pas valable" in text(wrong)
    response = browser.post("/comptes/connexion/code/", {"code": code_at(device, 1)})
    assert response.status_code == 302
    assert browser.get("/comptes/").status_code == 200


def test_a_backup_code_signs_in_once(atd_agent: Any) -> None:
    backup = enable(personas.logged_in(atd_agent), atd_agent)
    first = Client()
    sign_in(first, "alice")
    assert first.post("/comptes/connexion/code/", {"code": backup[0]}).status_code == 302
    second = Client()
    sign_in(second, "alice")
    assert "n'est pas valable" in text(second.post("/comptes/connexion/code/", {"code": backup[0]}))


def test_a_wrong_confirmation_code_leaves_it_off(atd_agent: Any) -> None:
    client = personas.logged_in(atd_agent)
    client.get("/comptes/securite/")
    response = client.post("/comptes/securite/", {"action": "confirm", "code": "123456"})
    assert "Ce code ne correspond pas" in text(response)
    assert not TOTPDevice.objects.filter(user=atd_agent, confirmed=True).exists()


def test_the_qr_code_is_drawn_inline_with_no_outside_image(atd_client: Client) -> None:
    page = text(atd_client.get("/comptes/securite/"))
    assert "otpauth" not in page.split("<svg")[0]  # the secret is in the drawing, not in a link
    assert "<img" not in page and "http://" not in page.split("<svg")[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )


def test_turning_it_off_needs_a_current_code(atd_agent: Any) -> None:
    client = personas.logged_in(atd_agent)
    enable(client, atd_agent)
    device = TOTPDevice.objects.get(user=atd_agent, confirmed=True)
    client.post("/comptes/securite/", {"action": "disable", "code": "000000"})
    assert TOTPDevice.objects.filter(user=atd_agent, confirmed=True).exists()
    client.post("/comptes/securite/", {"action": "disable", "code": code_at(device, 1)})
    assert not TOTPDevice.objects.filter(user=atd_agent).exists()


def test_coordinators_must_set_it_up_first_when_the_setting_says_so(
    coordinator: Any, settings: pytest.FixtureRequest
) -> None:
    settings.ODL_2FA_REQUIRED_FOR_COORDINATORS = True  # type: ignore[attr-defined]
    client = Client()
    sign_in(client, "claire")
    response = client.get("/observatoire/")
    assert response.status_code == 302 and response["Location"] == "/comptes/securite/"
    assert client.get("/comptes/securite/").status_code == 200
    enable(client, coordinator)
    assert client.get("/comptes/").status_code == 200

    # Next time, the code is asked before any page.
    later = Client()
    assert sign_in(later, "claire")["Location"] == "/comptes/connexion/code/"
    device = TOTPDevice.objects.get(user=coordinator, confirmed=True)
    later.post("/comptes/connexion/code/", {"code": code_at(device, 1)})
    assert later.get("/comptes/").status_code == 200


def test_a_coordinator_signed_in_without_the_code_is_asked_for_it(
    coordinator: Any, settings: pytest.FixtureRequest
) -> None:
    settings.ODL_2FA_REQUIRED_FOR_COORDINATORS = True  # type: ignore[attr-defined]
    client = Client()
    sign_in(client, "claire")
    enable(client, coordinator)
    session_without_code = personas.logged_in(coordinator)
    response = session_without_code.get("/comptes/")
    assert response["Location"].startswith("/comptes/connexion/code/")


def test_the_setting_is_off_by_default(coordinator_client: Client) -> None:
    assert coordinator_client.get("/comptes/").status_code == 200
