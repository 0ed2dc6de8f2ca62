"""The validation job as a Celery task, when CELERY_BROKER_URL is set (see ``odl.schemas.jobs``)."""

from __future__ import annotations

from django.conf import settings

from odl.celery import app


def celery_enabled() -> bool:
    return bool(settings.CELERY_BROKER_URL) and not app.conf.task_always_eager


@app.task(name="schemas.validate_job")
def validate_job(job_id: str) -> None:
    """Validate one queued file; the worker reads it from the ODL_DATA_DIR it shares with the site."""
    from odl.schemas.jobs import run_job

    run_job(job_id)
