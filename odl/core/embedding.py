"""Pages another site may frame (an iframe on the collectivité's own site), and nothing else.

Every other page keeps X-Frame-Options and the CSP's ``frame-ancestors 'none'``: :func:`frameable` lifts
both for one view. Such a page is the same for every visitor: it never reads the user or the session, and
:func:`unread_session` makes sure the session middleware adds no cookie nor ``Vary: Cookie`` because an
earlier middleware looked the user up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from csp.decorators import csp_replace
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.clickjacking import xframe_options_exempt

View = TypeVar("View", bound=Callable[..., Any])
Response = TypeVar("Response", bound=HttpResponseBase)


def frameable(view: View) -> View:
    """The view's pages may be framed by any site (X-Frame-Options lifted, ``frame-ancestors *``)."""
    framed = csp_replace({"frame-ancestors": ["*"]})(xframe_options_exempt(view))
    return cast(View, framed)


def unread_session(request: HttpRequest, response: Response) -> Response:
    """The response, with the session marked unread when nothing was written to it."""
    session = getattr(request, "session", None)
    if session is not None and not session.modified:
        session.accessed = False
    return response
