"""Several files dropped at once, and large files validated as jobs the page follows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from odl.core.processes import process_token
from odl.schemas import jobs
from odl.schemas.models import JobStatus, ValidationJob, ValidationRun
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv


def csv_upload(tmp_path: Path, name: str, bad: bool = False) -> SimpleUploadedFile:
    rows = [list(SUB_GOOD) for _ in range(3)]
    if bad:
        rows[1][2] = "hier"
    path = write_csv(tmp_path / name, SUB_HEADER, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


@pytest.mark.django_db
def test_several_files_dropped_at_once_get_one_table_with_a_report_per_file(
    client: Client, tmp_path: Path
) -> None:
    files = [
        csv_upload(tmp_path, "bon.csv"),
        csv_upload(tmp_path, "mauvais.csv", bad=True),
        SimpleUploadedFile("scan.csv", b"%PDF-1.4 pas un tableau"),
        SimpleUploadedFile("autre.csv", b"x,y\n1,2\n"),
    ]
    response = client.post("/validation/", {"file": files, "schema": "auto"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    runs = {r.file_name: r for r in ValidationRun.objects.all()}
    assert set(runs) == {"bon.csv", "mauvais.csv"}
    assert f'href="/validation/rapports/{runs["bon.csv"].pk}/"' in page
    assert f'href="/validation/rapports/{runs["mauvais.csv"].pk}/"' in page
    assert "✓ valide" in page and "✗ non valide" in page
    assert "Non validé : « scan.csv » est un document PDF" in page
    assert "Aucun schéma ne correspond à l&#x27;en-tête de ce fichier" in page
    assert "Terminé : 1 valide, 1 non valide, 2 non validés" in page
    assert 'http-equiv="refresh"' not in page
    # The table lists the files in the order they were dropped.
    assert page.index("bon.csv") < page.index("mauvais.csv") < page.index("scan.csv")


@pytest.mark.django_db
def test_a_wrong_schema_for_a_batch_is_refused_once_on_the_form(client: Client, tmp_path: Path) -> None:
    files = [csv_upload(tmp_path, "a.csv"), csv_upload(tmp_path, "b.csv")]
    response = client.post("/validation/", {"file": files, "schema": "inconnu"})
    assert response.status_code == 400
    assert "Schéma inconnu" in response.content.decode()
    assert not ValidationJob.objects.exists()


@pytest.mark.django_db
def test_too_many_files_at_once_are_sent_to_the_command_line(client: Client, tmp_path: Path) -> None:
    files = [SimpleUploadedFile(f"f{i}.csv", b"a\n1\n") for i in range(jobs.MAX_FILES + 1)]
    response = client.post("/validation/", {"file": files})
    assert response.status_code == 400
    assert "odl validate DOSSIER" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_batch_is_a_404(client: Client) -> None:
    assert client.get("/validation/lots/4b3c4c2e-8f53-4a8e-9d7e-1a2b3c4d5e6f/").status_code == 404


@pytest.mark.django_db
def test_a_large_file_waits_as_a_job_on_a_page_that_refreshes_then_shows_its_report(
    client: Client, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ODL_VALIDATE_ASYNC_BYTES = 100
    started: list[Any] = []
    monkeypatch.setattr(jobs, "dispatch", lambda ids: started.extend(ids))
    response = client.post(
        "/validation/", {"file": csv_upload(tmp_path, "gros.csv", bad=True), "schema": "subventions"}
    )
    assert response.status_code == 302 and "/validation/lots/" in response["Location"]
    job = ValidationJob.objects.get()
    assert job.status == JobStatus.PENDING and Path(job.upload).is_file()
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "En attente" in page and "<script>" not in page
    # The request did not validate: a job does, later.
    assert not ValidationRun.objects.exists()
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100 and job.upload == ""
    assert not any(jobs.uploads_dir().iterdir())
    done = client.get(response["Location"])
    assert done.status_code == 302 and done["Location"] == f"/validation/rapports/{job.run_id}/"
    assert job.run is not None and (job.run.valid, job.run.errors) == (False, 1)


@pytest.mark.django_db
def test_a_running_job_shows_its_progress(client: Client) -> None:
    job = ValidationJob.objects.create(
        batch="4b3c4c2e-8f53-4a8e-9d7e-1a2b3c4d5e6f",
        file_name="gros.csv",
        status=JobStatus.RUNNING,
        progress=42,
    )
    page = client.get(f"/validation/lots/{job.batch}/").content.decode()
    assert "Validation : 42 %" in page and 'value="42"' in page
    assert 'http-equiv="refresh"' in page


@pytest.mark.django_db
def test_a_job_on_an_unreadable_file_ends_in_failure_with_the_reason(tmp_path: Path) -> None:
    stored = jobs.uploads_dir() / "x.xlsx"
    stored.write_bytes(b"%PDF-1.4")
    job = ValidationJob.objects.create(
        batch="4b3c4c2e-8f53-4a8e-9d7e-1a2b3c4d5e6f", file_name="x.xlsx", upload=str(stored)
    )
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "document PDF" in job.message
    assert not stored.exists()
    # A job already taken is not run twice.
    jobs.run_job(job.pk)
    assert ValidationJob.objects.get().status == JobStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_in_process_backend_validates_on_a_thread(client: Client, tmp_path: Path, settings: Any) -> None:
    settings.ODL_VALIDATE_ASYNC_BYTES = 100
    files = [csv_upload(tmp_path, "gros-1.csv"), csv_upload(tmp_path, "gros-2.csv", bad=True)]
    response = client.post("/validation/", {"file": files, "schema": "auto"})
    jobs.wait(timeout=120)
    assert [j.status for j in ValidationJob.objects.order_by("position")] == [JobStatus.DONE] * 2
    page = client.get(response["Location"]).content.decode()
    assert "Terminé : 1 valide, 1 non valide." in page
    assert 'http-equiv="refresh"' not in page


@pytest.mark.django_db
def test_with_a_broker_large_files_go_to_celery(
    client: Client, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odl.schemas import tasks

    settings.ODL_VALIDATE_ASYNC_BYTES = 100
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    monkeypatch.setattr(tasks, "celery_enabled", lambda: True)
    queued: list[str] = []
    monkeypatch.setattr(tasks.validate_job, "delay", queued.append)
    with django_capture_on_commit():
        client.post("/validation/", {"file": csv_upload(tmp_path, "gros.csv"), "schema": "auto"})
    assert queued == [str(ValidationJob.objects.get().pk)]


def django_capture_on_commit() -> Any:
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.mark.django_db
def test_odl_purge_removes_old_batches_and_the_uploads_of_jobs_never_run() -> None:
    import datetime as dt

    from django.utils import timezone

    from odl.schemas.purge import purge_validations

    stored = jobs.uploads_dir() / "oublie.csv"
    stored.write_text("a\n")
    job = ValidationJob.objects.create(
        batch="4b3c4c2e-8f53-4a8e-9d7e-1a2b3c4d5e6f", file_name="oublie.csv", upload=str(stored)
    )
    later = timezone.now() + dt.timedelta(days=40)
    purge_validations(30, now=later)
    assert not ValidationJob.objects.filter(pk=job.pk).exists()
    assert not stored.exists()


@pytest.mark.django_db
def test_many_medium_files_past_the_threshold_in_total_become_jobs(
    client: Client, tmp_path: Path, settings: Any
) -> None:
    first = csv_upload(tmp_path, "un.csv")
    settings.ODL_VALIDATE_ASYNC_BYTES = first.size * 2 + 10
    files = [first, csv_upload(tmp_path, "deux.csv"), csv_upload(tmp_path, "trois.csv")]
    client.post("/validation/", {"file": files, "schema": "auto"})
    statuses = [j.status for j in ValidationJob.objects.order_by("position")]
    assert statuses == [JobStatus.DONE, JobStatus.DONE, JobStatus.PENDING]


def dead_process_token() -> str:
    """The token a web process wrote on its jobs before it stopped (a restart, a deploy)."""
    child = subprocess.run(
        [sys.executable, "-c", "from odl.core.processes import process_token; print(process_token())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return child.stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_process_stopped_is_taken_up_by_the_next_page_that_shows_it(
    client: Client, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ODL_VALIDATE_ASYNC_BYTES = 100
    monkeypatch.setattr(jobs, "_submit", lambda ids: None)  # the process « stops » before running it
    response = client.post(
        "/validation/", {"file": csv_upload(tmp_path, "gros.csv", bad=True), "schema": "subventions"}
    )
    job = ValidationJob.objects.get()
    assert job.holder == process_token()
    # Its process is gone: the job, half run, says « en cours » for ever unless someone takes it up.
    ValidationJob.objects.filter(pk=job.pk).update(holder=dead_process_token(), status=JobStatus.RUNNING)
    monkeypatch.undo()
    settings.ODL_VALIDATE_ASYNC_BYTES = 100
    client.get(response["Location"])
    jobs.wait(timeout=120)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.holder == process_token()
    assert job.run is not None and job.run.errors == 1
    # A job of a living process (this one) is left alone.
    alive = ValidationJob.objects.create(
        batch=job.batch, position=1, file_name="b.csv", holder=process_token()
    )
    client.get(response["Location"])
    alive.refresh_from_db()
    assert alive.status == JobStatus.PENDING


@pytest.mark.django_db
def test_an_orphan_job_whose_file_is_gone_ends_with_a_french_reason(client: Client) -> None:
    job = ValidationJob.objects.create(
        batch="4b3c4c2e-8f53-4a8e-9d7e-1a2b3c4d5e6f",
        file_name="gros.csv",
        status=JobStatus.RUNNING,
        upload="/nulle/part/gros.csv",
        holder=dead_process_token(),
    )
    page = client.get(f"/validation/lots/{job.batch}/").content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.holder == ""
    assert "interrompue (le serveur a redémarré)" in page and 'http-equiv="refresh"' not in page
