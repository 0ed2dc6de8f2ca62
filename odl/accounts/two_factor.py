"""Two-factor authentication with TOTP (an authenticator app) and single-use backup codes.

A user first gets an unconfirmed TOTP device; it counts only once a code from the app confirms it.
Sign-in then happens in two steps: the password (the view keeps the user aside in the session), then
a code from the app or a backup code. Wrong codes count as failed sign-ins for django-axes, so the
code step cannot be guessed any faster than the password.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import get_user_model, user_login_failed
from django.http import HttpRequest
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE_NAME = "Application d'authentification"
BACKUP_DEVICE_NAME = "Codes de secours"
BACKUP_CODES = 10
PENDING_KEY = "odl_2fa_pending"


def confirmed_totp(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and confirmed_totp(user) is not None


def setup_device(user: Any) -> TOTPDevice:
    """The device being set up: kept between visits so the QR code already scanned stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (drawn here: no outside image)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, title="Code QR à scanner avec votre application d'authentification"
        )
    )


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean_code(raw: str) -> str:
    return "".join(raw.split())


def confirm(device: TOTPDevice, code: str) -> bool:
    if not device.verify_token(clean_code(code)):
        return False
    # Only one confirmed app at a time: a new set-up replaces the old one.
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def new_backup_codes(user: Any) -> list[str]:
    """Fresh single-use codes (the old ones stop working); shown once to the user."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__name=BACKUP_DEVICE_NAME).count())


def disable(user: Any) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def verify(request: HttpRequest, user: Any, code: str) -> Device | None:
    """The device that accepts this code, or None, which counts as a failed sign-in."""
    device = match_token(user, clean_code(code))
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    return device


def keep_pending(request: HttpRequest, user: Any, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": time.time(),
        "next": next_url,
    }


def pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    """The user whose password was accepted a moment ago and who still owes a code."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > settings.ODL_2FA_PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    user.backend = pending["backend"]
    return user, pending
