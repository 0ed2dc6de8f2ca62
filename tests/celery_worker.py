"""A real Celery worker on the local Redis, in this process, on a queue of its own (tests only)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from odl.celery import app

REDIS = "redis://127.0.0.1:6379/13"


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@contextmanager
def redis_worker(concurrency: int = 1) -> Iterator[None]:
    """Tasks sent inside the block go to Redis and are run by a thread-pool worker; skips without Redis."""
    if not redis_up():
        pytest.skip("Redis absent sur 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    queue = f"odl-test-{uuid.uuid4().hex}"
    keys = ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=REDIS,
        result_backend=REDIS,
        task_always_eager=False,
        task_default_queue=queue,
        worker_hijack_root_logger=False,
    )
    try:
        with start_worker(
            app, pool="threads", concurrency=concurrency, perform_ping_check=False, queues=[queue]
        ):
            yield
    finally:
        app.conf.update(previous)
