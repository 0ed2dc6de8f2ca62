"""A local HTTP server that replays the real harvest payloads (see harvest_replay.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from harvest_replay import Replay

from tests.loopback import serving


@pytest.fixture
def replay() -> Iterator[Replay]:
    state = Replay()

    def answer(raw: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        path = urlsplit(raw).path
        state.hits[path] = state.hits.get(path, 0) + 1
        route = state.routes.get(path)
        if route is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return route(path, query)

    with serving(answer) as base:
        state.base = base
        yield state


@pytest.fixture(autouse=True)
def _fast_retries(settings: Any) -> None:
    settings.ODL_HARVEST_BACKOFF = 0.01
    # Generous: a loaded CI machine must not turn a normal answer into a timeout.
    settings.ODL_HARVEST_TIMEOUT = 5.0
    settings.ODL_HARVEST_RETRIES = 2
    settings.ODL_HARVEST_MAX_PAGES = 50


@pytest.fixture
def harvest_data(shared_data: Path) -> Path:
    return shared_data / "harvest"
