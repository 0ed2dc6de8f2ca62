"""Coordinators set up two-factor authentication before anything else, when the platform requires it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from odl.accounts import two_factor
from odl.accounts.roles import is_coordinator

# The pages a coordinator may still open: setting it up, giving the code, leaving.
ALLOWED = {"accounts:security", "accounts:login_code", "logout", "login"}


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not settings.ODL_2FA_REQUIRED_FOR_COORDINATORS or not is_coordinator(request.user):
            return None
        if request.user.is_verified():  # type: ignore[union-attr]
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED:
            return None
        if two_factor.has_two_factor(request.user):
            return redirect(
                f"{reverse('accounts:login_code')}?{urlencode({'next': request.get_full_path()})}"
            )
        messages.warning(
            request,
            "La coordination nationale doit activer la double authentification avant d'utiliser la plateforme.",
        )
        return redirect("accounts:security")
