"""A task queued while serving a request logs under that request's id on the worker."""

from __future__ import annotations

from odl.celery import app
from odl.core import logs
from tests.celery_worker import redis_worker


@app.task(name="tests.core.report_request_id")
def report_request_id() -> str:
    return logs.request_id.get()


def test_the_worker_takes_the_request_id_of_whoever_queued_the_task() -> None:
    with redis_worker():
        token = logs.request_id.set("req-1234")
        try:
            queued = report_request_id.delay()
        finally:
            logs.request_id.reset(token)
        # Queued outside any request: the worker does not keep the previous task's id.
        anonymous = report_request_id.delay()
        assert queued.get(timeout=30) == "req-1234"
        assert anonymous.get(timeout=30) == "-"
