"""Validation of several files, and of large ones, as jobs the page follows.

A drop of files on the validation page becomes a batch of ``ValidationJob`` rows. Small files of a
batch are validated at once, in the request, while their total stays under ``ODL_VALIDATE_ASYNC_BYTES``;
a file of that size or more, and the files past that total, are stored
under ``DATA_DIR/validations/uploads`` and validated by a job: a thread of this process on the embedded
default, a Celery task (``odl.schemas.tasks``) when ``CELERY_BROKER_URL`` is set, the same shape as
harvests (``odl.harvest.tasks``). The job writes its progress to its row; the batch page reads it and
refreshes itself until every file is done. Workers and the site must then share ``ODL_DATA_DIR``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connections, transaction

from odl.core import logs
from odl.core.processes import dead_pid, process_token
from odl.core.spreadsheets import UnreadableFile
from odl.schemas.models import JobStatus, ValidationJob
from odl.schemas.registry import SchemaNotFound
from odl.schemas.uploads import run_upload, store_upload, validate_stored, validation_dir

logger = logging.getLogger(__name__)

# At most this many files per drop: past it, the ETD's folder is a job for « odl validate DOSSIER ».
MAX_FILES = 50
# Jobs of this process run one after the other on two threads: a web worker's memory holds two
# validations at most (each bounded, see docs/schemas.md). On SQLite, one thread: it takes one writer at
# a time, and two jobs writing their progress at once could meet « database is locked » (at once, on the
# shared in-memory database of the tests), leaving a job « en attente » for ever.
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        workers = 1 if connections["default"].vendor == "sqlite" else 2
        _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="validation")
    return _pool


_futures: list[Future[None]] = []
_lock = threading.Lock()
# Progress is written at most this often (seconds): a row update per batch of rows would cost more than
# the validation.
PROGRESS_EVERY = 0.5


def is_large(upload: UploadedFile[Any]) -> bool:
    return (upload.size or 0) >= settings.ODL_VALIDATE_ASYNC_BYTES


def uploads_dir() -> Path:
    path = validation_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_batch(uploads: Sequence[UploadedFile[Any]], schema_spec: str, user: Any = None) -> uuid.UUID:
    """Validate small files now, queue large ones; returns the batch id the page follows."""
    batch = uuid.uuid4()
    owner = user if getattr(user, "is_authenticated", False) else None
    queued: list[uuid.UUID] = []
    # What the request validates itself stays under the threshold in total: many medium files are jobs too.
    inline_bytes = 0
    for position, upload in enumerate(uploads):
        name = Path(upload.name or "fichier").name[:255]
        job = ValidationJob(
            batch=batch,
            position=position,
            user=owner,
            file_name=name,
            size=upload.size or 0,
            schema_spec=schema_spec[:200],
        )
        inline_bytes += upload.size or 0
        if is_large(upload) or inline_bytes >= settings.ODL_VALIDATE_ASYNC_BYTES:
            job.upload = str(store_upload(upload, uploads_dir()))
            job.save()
            queued.append(job.pk)
            continue
        try:
            job.run = run_upload(upload, schema_spec, user)
        except (SchemaNotFound, UnreadableFile) as exc:
            job.status, job.message = JobStatus.FAILED, str(exc)
        else:
            job.status, job.progress = JobStatus.DONE, 100
        job.save()
    # A worker must find the rows committed.
    transaction.on_commit(lambda: dispatch(queued))
    return batch


def celery_enabled() -> bool:
    if not settings.CELERY_BROKER_URL:
        return False
    from odl.schemas import tasks

    return tasks.celery_enabled()


def dispatch(job_ids: Sequence[uuid.UUID]) -> None:
    """Start jobs: on Celery workers when a broker is configured, else on this process's threads."""
    if not job_ids:
        return
    if celery_enabled():
        from odl.schemas import tasks

        for job_id in job_ids:
            tasks.validate_job.delay(str(job_id))
        return
    # These jobs are this process's: if it stops before they end, another one takes them up.
    ValidationJob.objects.filter(pk__in=job_ids).update(holder=process_token())
    _submit(job_ids)


def _submit(job_ids: Sequence[uuid.UUID]) -> None:
    with _lock:
        _futures[:] = [f for f in _futures if not f.done()]
        # The thread logs under the id of the request that queued the job (threads do not inherit it).
        rid = logs.request_id.get()
        _futures.extend(_executor().submit(_in_thread, job_id, rid) for job_id in job_ids)


def take_up_orphans(jobs: Sequence[ValidationJob]) -> list[ValidationJob]:
    """Jobs among ``jobs`` whose process stopped before they ended (a web worker restarted, a deploy):
    queued again in this process when their file is still stored, else ended « échec » with the reason.

    Only the process's own threads hold a job (Celery's broker redelivers its tasks itself), and only
    the processes of this host can be seen dead: the others are left to their host's pages. Taking a job
    is one conditional UPDATE, so two pages that see the same orphan do not both run it.
    """
    mine = process_token()
    resumed: list[uuid.UUID] = []
    for job in jobs:
        if job.finished or not job.holder or dead_pid(job.holder) is None:
            continue
        stored = bool(job.upload) and Path(job.upload).is_file()
        changes: dict[str, Any] = (
            {"holder": mine, "status": JobStatus.PENDING, "progress": 0}
            if stored
            else {
                "holder": "",
                "status": JobStatus.FAILED,
                "message": "La validation a été interrompue (le serveur a redémarré) et le fichier "
                "n'est plus conservé : déposez-le de nouveau.",
            }
        )
        if not ValidationJob.objects.filter(pk=job.pk, holder=job.holder).update(**changes):
            continue  # another page took it first
        logger.warning("validation job %s taken up: its process stopped", job.pk)
        if stored:
            resumed.append(job.pk)
        for name, value in changes.items():
            setattr(job, name, value)
    if resumed:
        _submit(resumed)
    return list(jobs)


def wait(timeout: float = 60) -> None:
    """Wait for this process's jobs (tests, and a clean shutdown)."""
    with _lock:
        pending = list(_futures)
    wait_futures(pending, timeout=timeout)


def _in_thread(job_id: uuid.UUID, rid: str = "-") -> None:
    logs.request_id.set(rid)
    close_old_connections()
    try:
        run_job(job_id)
    except Exception:
        # A thread's exception would stay in its future, unseen: say it in the log, and end the job.
        logger.exception("validation job %s stopped by an error", job_id)
        ValidationJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
            status=JobStatus.FAILED,
            message="La validation s'est arrêtée sur une erreur interne : relancez-la.",
        )
    finally:
        # The thread's own connection: left open, it would outlive the request that started it.
        connections.close_all()


def run_job(job_id: uuid.UUID | str) -> None:
    """Validate one queued file; whatever happens, the job ends « terminée » or « échec »."""
    job = ValidationJob.objects.filter(pk=job_id, status=JobStatus.PENDING).first()
    if job is None:
        return  # already taken by another worker, or purged
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status", "updated_at"])
    with logs.timed(logger, "validation.job", job_id=str(job.pk), size=job.size) as outcome:
        _validate(job)
        outcome["status"] = job.status


def _validate(job: ValidationJob) -> None:
    last = [0.0, 0]

    def progress(stage: str, done: int, total: int) -> None:
        percent = min(99, int(100 * done / total)) if total else 0
        now = time.monotonic()
        if percent != last[1] and now - last[0] >= PROGRESS_EVERY:
            last[0], last[1] = now, percent
            ValidationJob.objects.filter(pk=job.pk).update(progress=percent)

    path = Path(job.upload)
    try:
        run = validate_stored(path, job.file_name, job.schema_spec, job.user, progress)
    except (SchemaNotFound, UnreadableFile) as exc:
        job.status, job.message = JobStatus.FAILED, str(exc)
    except Exception:
        logger.exception("validation job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.message = (
            "La validation de ce fichier a échoué sur une erreur de la plateforme. Réessayez ; si cela "
            "recommence, validez-le avec « odl validate » et signalez-le."
        )
    else:
        job.status, job.progress, job.run = JobStatus.DONE, 100, run
    finally:
        path.unlink(missing_ok=True)
    job.upload = ""
    job.save()
