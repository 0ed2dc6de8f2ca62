"""Figures computed once per version of what they read, kept in Django's ``figures`` cache.

    rows = remember("targets", (criteria, version("territories")), lambda: compute_targets(criteria))

A key holds everything the value depends on (a snapshot's id and creation time, the criteria, a
version of the référentiel…), so a new snapshot or a new référentiel import is a new key and the old
value is never read again (it ages out). ``version(name)`` is a token stored in the same cache and
replaced by ``bump(name)`` when the data it stands for changes, by whichever process changes it (a
command, the admin): the ``figures`` cache is therefore shared between processes, Redis when
``ODL_CACHE_URL`` is set, otherwise files under ``DATA_DIR/cache/figures`` (see settings). A token
lost to eviction becomes a new one, which only costs a recomputation.

Only what is public and the same for everyone goes here (figures of a perimeter, the ciblage of some
criteria, an export's bytes): keys hold criteria, never a user, and the pages add what is personal.
``cached_page`` keeps a whole page only for a visitor with no session and no message waiting (the page
is then the same for every such visitor); a signed-in visitor's page is rendered each time, around
the kept figures. Every key also holds a fingerprint of the platform's code and templates, so an
upgrade never reads figures or pages of the previous version.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse

ALIAS = "figures"
T = TypeVar("T")
_MISSING = object()


def _cache() -> Any:
    return caches[ALIAS]


@lru_cache(maxsize=1)
def code_version() -> str:
    """A fingerprint of the platform's Python code and templates (read once per process)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html") and "migrations" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key_of(namespace: str, parts: Any) -> str:
    """A cache key for ``parts`` (anything with a stable ``repr``: tuples, frozen dataclasses, numbers)."""
    digest = hashlib.sha256(repr((code_version(), parts)).encode("utf-8")).hexdigest()[:40]
    return f"odl:{namespace}:{digest}"


def remember(namespace: str, parts: Any, compute: Callable[[], T]) -> T:
    """The value kept under ``parts``, or ``compute()`` once and kept (for a week, or until evicted)."""
    key = key_of(namespace, parts)
    value = _cache().get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        _cache().set(key, value, timeout=7 * 24 * 3600)
    return value  # type: ignore[no-any-return]


def version(name: str) -> str:
    """The current token of ``name`` (``territories``…), made on first use."""
    key = f"odl:version:{name}"
    token = _cache().get(key)
    if token is None:
        _cache().add(key, uuid.uuid4().hex, timeout=None)
        # A cache that keeps nothing (dummy) gets a fresh token each time: every read recomputes.
        token = _cache().get(key) or uuid.uuid4().hex
    return str(token)


def _renew(name: str) -> None:
    _cache().set(f"odl:version:{name}", uuid.uuid4().hex, timeout=None)


def bump(name: str) -> None:
    """``name`` changed: every key built from its previous token is never read again.

    Renewed at once (readers in this transaction see the change) and again at commit (a value another
    process computed meanwhile from the old rows is never read).
    """
    _renew(name)
    transaction.on_commit(lambda: _renew(name))


def _anonymous(request: HttpRequest) -> bool:
    """Not signed in, no session and no message waiting: the page is the one every such visitor gets."""
    cookies = request.COOKIES
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and user is not None
        and not user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def cached_page(
    namespace: str,
    request: HttpRequest,
    parts: Any,
    render: Callable[[], HttpResponse],
    timeout: int = 7 * 24 * 3600,
) -> HttpResponse:
    """The page ``render`` makes, kept under ``parts`` and the address for visitors without a session.

    Only a 200 that sets no cookie is kept (a page that hands out a CSRF token or a session is personal).
    ``timeout`` bounds how long a page is kept when some of what it shows can change without a token."""
    if not _anonymous(request):
        return render()
    key = key_of(f"page:{namespace}", (parts, request.get_full_path()))
    kept = _cache().get(key)
    if kept is not None:
        content, content_type = kept
        return HttpResponse(content, content_type=content_type)
    response = render()
    if response.status_code == 200 and not response.cookies and not response.streaming:
        _cache().set(key, (response.content, response["Content-Type"]), timeout=timeout)
    return response
