"""Two guards that answer before any view or form parsing runs, and the request id of the logs.

- ``UploadLimitMiddleware`` refuses a request body that is too large from its ``Content-Length``, before
  anything reads it. Django's CSRF middleware reads the whole form to find its token, so a 500 MB upload
  used to be written to disk before any view could say no; this one sits before it.
- ``RateLimitMiddleware`` applies rate limits on the public API and on the public pages that cost the most
  to compute. Counters live in the cache (django-ratelimit's fixed windows, keyed by signed-in user, the
  user of an API token, or IP address: ``RATELIMIT_KEY``); with several workers the cache must be
  shared (``ODL_CACHE_URL``, Redis). A caller over the limit gets a 429 with ``Retry-After`` and a French
  message: JSON on the API, a page elsewhere.
- ``RequestIdMiddleware`` gives each request an id for the logs (``odl.core.logs``).
- ``NulCharacterMiddleware`` refuses an address carrying a NUL character with a French 400.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django_ratelimit.core import get_usage

from odl.core import logs

MIB = 1024 * 1024
# Multipart boundaries and the other form fields around the file.
FORM_OVERHEAD = 64 * 1024


def upload_limit(path: str) -> tuple[int, str]:
    """The largest body (bytes) a URL accepts, and what its refusal adds (``ODL_UPLOAD_LIMITS``)."""
    for prefix, setting, hint in settings.ODL_UPLOAD_LIMITS:
        if path.startswith(prefix):
            return int(getattr(settings, setting)) * MIB, str(hint)
    return int(settings.ODL_MAX_UPLOAD_BYTES), ""


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


# A NUL character in the address: PostgreSQL refuses it in any text it is compared with (a 500 there,
# found by the API fuzzing); no real link carries one. Django's forms already refuse it in bodies.
NUL = re.compile(r"%00|\x00")


class NulCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL.search(request.META.get("QUERY_STRING", "")) or "\x00" in request.path_info:
            message = "L'adresse contient un caractère nul (%00) : retirez-le et réessayez."
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(
                render_to_string("400.html", {"message": message}, request=request), status=400
            )
        return self.get_response(request)


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        if length:
            limit, hint = upload_limit(request.path_info)
            if length > limit + FORM_OVERHEAD:
                return self.refuse(request, limit, hint)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, limit: int, hint: str) -> HttpResponse:
        mb = round(limit / MIB, 1)
        message = f"Le fichier dépasse la limite de {mb:g} Mo pour l'envoi par le site."
        if hint:
            message += " " + hint
        if request.path_info.startswith("/api/"):
            return HttpResponse(
                json.dumps({"detail": message}, ensure_ascii=False),
                status=413,
                content_type="application/json",
            )
        return HttpResponse(render_to_string("413.html", {"message": message}), status=413)


def limit_for(view_name: str) -> tuple[str, str] | None:
    """(group, rate) that applies to a view, or None."""
    if view_name.startswith("api:"):
        return "api", str(settings.ODL_RATELIMIT_API)
    if view_name in settings.ODL_RATELIMIT_PAGE_VIEWS:
        return "pages", str(settings.ODL_RATELIMIT_PAGES)
    return None


def too_many(request: HttpRequest, retry_after: int, api: bool) -> HttpResponse:
    # The rate-limit key (RATELIMIT_KEY) counts a signed-in user or a token's user per account and
    # anyone else per address, and marks the request so that the message says which.
    counted = (
        "pour votre compte"
        if getattr(request, "odl_rate_counted_per_account", False)
        else "depuis votre adresse"
    )
    message = (
        f"Trop de requêtes {counted} : réessayez dans {retry_after} seconde{'s' if retry_after > 1 else ''}."
    )
    response: HttpResponse
    if api:
        response = JsonResponse({"detail": message}, status=429)
    else:
        html = render_to_string("429.html", {"message": message}, request=request)
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Counts each request to a limited view and answers 429 past the rate (``ODL_RATELIMIT_*``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        limit = limit_for(match.view_name if match else "")
        if limit is None:
            return None
        group, rate = limit
        usage = get_usage(
            request,
            group=group,
            key=str(getattr(settings, "RATELIMIT_KEY", "user_or_ip")),
            rate=rate,
            increment=True,
        )
        if usage is None or not usage["should_limit"]:
            return None
        return too_many(request, max(1, math.ceil(usage["time_left"])), api=group == "api")


# A caller's X-Request-ID (a reverse proxy's, a client's) is kept when it looks like an id; anything
# else (too long, spaces, control characters) is replaced, so that a header cannot forge log lines.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Gives each request an id (the caller's ``X-Request-ID`` or a new one), puts it on every log line
    written while it is served (``odl.core.logs.request_id``) and sends it back in ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = logs.request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
