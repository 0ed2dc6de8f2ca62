"""Paging of the JSON API lists: one way to cut a queryset into ``count``/``page``/``page_size``/``results``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

# Beyond this a page is empty anyway; capping keeps OFFSET within every database's integer range.
MAX_PAGE = 1_000_000


def clamp(page: int, page_size: int, max_page_size: int) -> tuple[int, int]:
    """Bring an out-of-range page or page size back within bounds (for lists that never refuse one)."""
    return min(max(page, 1), MAX_PAGE), min(max(page_size, 1), max_page_size)


M = TypeVar("M", bound=Model)


def paginate(
    query: QuerySet[M], page: int, page_size: int, shape: Callable[[M], Any] | None = None
) -> dict[str, Any]:
    """One page of ``query``; ``results`` holds the instances (a response schema reads them) or ``shape``'s."""
    start = (page - 1) * page_size
    rows = query[start : start + page_size]
    return {
        "count": query.count(),
        "page": page,
        "page_size": page_size,
        "results": [shape(row) for row in rows] if shape else list(rows),
    }
