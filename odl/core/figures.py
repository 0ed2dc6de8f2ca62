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
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches

ALIAS = "figures"
T = TypeVar("T")
_MISSING = object()


def _cache() -> Any:
    return caches[ALIAS]


def key_of(namespace: str, parts: Any) -> str:
    """A cache key for ``parts`` (anything with a stable ``repr``: tuples, frozen dataclasses, numbers)."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:40]
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


def bump(name: str) -> None:
    """``name`` changed: every key built from its previous token is never read again."""
    _cache().set(f"odl:version:{name}", uuid.uuid4().hex, timeout=None)
