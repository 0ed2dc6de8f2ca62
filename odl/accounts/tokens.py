"""Personal API tokens: reading ``Authorization: Bearer <key>`` once per request, for the API's
authentication and for the rate limits (a token's calls count for its user, not for an IP address)."""

from __future__ import annotations

from django.http import HttpRequest
from django_ratelimit.core import user_or_ip

from odl.accounts.models import ApiToken

_UNSET = object()


def bearer_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def token_of(request: HttpRequest) -> ApiToken | None:
    """The active token the request carries, looked up once and kept on the request."""
    found = getattr(request, "_odl_api_token", _UNSET)
    if found is _UNSET:
        key = bearer_key(request)
        found = ApiToken.find(key) if key else None
        request._odl_api_token = found  # type: ignore[attr-defined]
    return found  # type: ignore[return-value]


def ratelimit_key(group: str, request: HttpRequest) -> str:
    """django-ratelimit's key: the user of a valid token or of the session, else the IP address.

    A made-up token counts for its IP address, so inventing keys gives no fresh allowance.
    """
    token = token_of(request)
    user = getattr(request, "user", None)
    if token is not None or (user is not None and user.is_authenticated):
        # The 429 message then speaks of the account, not of the address (odl.core.middleware).
        request.odl_rate_counted_per_account = True  # type: ignore[attr-defined]
    if token is not None:
        return str(token.user_id)
    return str(user_or_ip(request))
