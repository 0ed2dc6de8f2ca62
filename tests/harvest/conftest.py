"""A local HTTP server that replays the real harvest payloads (see harvest_replay.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from harvest_replay import Replay


@pytest.fixture
def replay() -> Iterator[Replay]:
    state = Replay()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            state.hits[parts.path] = state.hits.get(parts.path, 0) + 1
            route = state.routes.get(parts.path)
            if route is None:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, headers, body = route(parts.path, parse_qs(parts.query))
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


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
