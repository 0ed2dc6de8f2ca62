"""The Celery application: harvests in parallel, and large validations, on Redis workers when CELERY_BROKER_URL is set.

Without a broker (the embedded default) nothing here runs a worker: ``odl.harvest.tasks`` calls the
same code in-process. Start workers with ``celery -A odl.celery worker --concurrency 4``.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")

app = Celery("odl")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in each app's tasks.py.
app.autodiscover_tasks(["odl.harvest", "odl.schemas"])


# The request id of the page or command that queued a task travels in the task's headers, so that the
# worker's log lines of that task carry it too (odl.core.logs; a worker has no request of its own).
REQUEST_ID_HEADER = "odl_request_id"


@before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    from odl.core import logs

    if headers is not None and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = logs.request_id.get()


@task_prerun.connect
def _take_request_id(task: Any = None, **_: Any) -> None:
    from odl.core import logs

    # Protocol 2 puts a message's own headers on the request; eager runs keep them under ``headers``.
    request = getattr(task, "request", None)
    rid = getattr(request, REQUEST_ID_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        REQUEST_ID_HEADER
    )
    logs.request_id.set(str(rid) if rid else "-")
