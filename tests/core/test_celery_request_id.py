"""A task queued while serving a request logs under that request's id on the worker."""

from __future__ import annotations

import socket
import uuid

import pytest

from odl.celery import app
from odl.core import logs

REDIS = "redis://127.0.0.1:6379/13"


@app.task(name="tests.core.report_request_id")
def report_request_id() -> str:
    return logs.request_id.get()


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_the_worker_takes_the_request_id_of_whoever_queued_the_task() -> None:
    if not redis_up():
        pytest.skip("Redis absent sur 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    queue = f"odl-rid-test-{uuid.uuid4().hex}"
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
        with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]):
            token = logs.request_id.set("req-1234")
            try:
                queued = report_request_id.delay()
            finally:
                logs.request_id.reset(token)
            # Queued outside any request: the worker does not keep the previous task's id.
            anonymous = report_request_id.delay()
            assert queued.get(timeout=30) == "req-1234"
            assert anonymous.get(timeout=30) == "-"
    finally:
        app.conf.update(previous)
