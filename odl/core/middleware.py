"""Refuse a request body that is too large from its ``Content-Length``, before anything reads it.

Django's CSRF middleware reads the whole form to find its token, so a 500 MB upload used to be written
to disk before any view could say no. This middleware sits before it: the refusal costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

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
