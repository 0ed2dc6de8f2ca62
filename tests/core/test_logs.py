"""Structured logs: JSON lines with the request id, the start and end of jobs, and never a secret."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from odl.core import logs
from odl.core.middleware import RequestIdMiddleware

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The odl loggers written as production writes them (JSON formatter and request id filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger("odl")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def _serve(request: HttpRequest) -> HttpResponse:
    logging.getLogger("odl.core.views").warning("page servie : %s", request.path)
    return HttpResponse("ok")


def test_a_json_line_parses_and_carries_the_request_id_level_logger_and_message(
    json_lines: io.StringIO,
) -> None:
    request = RequestFactory().get("/quelque-part/", HTTP_X_REQUEST_ID="proxy-abc.123")
    response = RequestIdMiddleware(_serve)(request)
    assert response["X-Request-ID"] == "proxy-abc.123"
    [line] = _lines(json_lines)
    assert line["request_id"] == "proxy-abc.123"
    assert line["level"] == "WARNING"
    assert line["logger"] == "odl.core.views"
    assert line["message"] == "page servie : /quelque-part/"
    assert "time" in line
    # Outside the request, lines say they belong to none.
    logging.getLogger("odl.core").warning("hors requête")
    assert _lines(json_lines)[-1]["request_id"] == "-"


def test_a_request_without_a_usable_id_gets_a_new_one() -> None:
    seen = []
    for header in ("", "deux mots", "x" * 500, "a\nfaux=1"):
        request = RequestFactory().get("/", HTTP_X_REQUEST_ID=header)
        response = RequestIdMiddleware(lambda r: HttpResponse())(request)
        rid = response["X-Request-ID"]
        assert rid != header and len(rid) == 32
        seen.append(rid)
    assert len(set(seen)) == 4


def test_every_response_of_the_site_says_its_request_id(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", HTTP_X_REQUEST_ID="suivi-42")
    assert response["X-Request-ID"] == "suivi-42"


SECRETS = ("cle-api-9f8e7d6c5b", "jeton-1a2b3c4d5e", "motdepasse-XYZ987", "porteur.abc.def123")


@pytest.mark.parametrize("formatter", [logs.JsonFormatter(), logs.TextFormatter()], ids=["json", "text"])
def test_api_keys_tokens_and_passwords_never_reach_the_logs(formatter: logging.Formatter) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger("odl.test_secrets")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("GET https://portail.example/api?apikey=%s&rows=10", SECRETS[0])
        logger.warning("en-têtes %s", {"X-API-KEY": SECRETS[0], "Authorization": f"Bearer {SECRETS[3]}"})
        logger.warning("corps %s", json.dumps({"token": SECRETS[1], "titre": "Budget"}))
        logger.warning("source https://agent:%s@ftp.example/depot", SECRETS[2])
        logger.warning("formulaire password=%s", SECRETS[2], extra={"detail": f"access_token={SECRETS[1]}"})
        try:
            raise RuntimeError(f"refusé : api_key={SECRETS[0]}")
        except RuntimeError:
            logger.exception("appel échoué")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    written = stream.getvalue()
    for secret in SECRETS:
        assert secret not in written
    assert written.count(logs.MASK) >= 7
    # What is not a secret stays readable.
    assert "rows=10" in written and "Budget" in written and "ftp.example/depot" in written


def test_a_harvest_run_logs_its_start_and_end_with_its_ids_and_duration(db, json_lines: io.StringIO) -> None:  # type: ignore[no-untyped-def]
    from odl.harvest.harvesters.runner import run_source
    from odl.harvest.models import HarvestSource

    source = HarvestSource.objects.create(
        name="Portail éteint", kind="datagouv", url="http://127.0.0.1:9/", active=False
    )
    run = run_source(source)
    events = [line for line in _lines(json_lines) if line.get("event") == "harvest.run"]
    assert [e["phase"] for e in events] == ["start", "end"]
    assert all(e["run_id"] == run.pk and e["source_id"] == source.pk for e in events)
    assert events[1]["status"] == "failed"
    assert isinstance(events[1]["duration_s"], float)


def test_timed_logs_the_end_of_a_job_that_raised(json_lines: io.StringIO) -> None:
    logger = logging.getLogger("odl.datagouv.push")
    with pytest.raises(ValueError), logs.timed(logger, "datagouv.push", push_id=7):
        raise ValueError("réponse imprévue")
    start, end = _lines(json_lines)
    assert (start["phase"], end["phase"], end["status"], end["push_id"]) == ("start", "end", "error", 7)
    assert "réponse imprévue" in str(end["exception"])


def test_the_settings_write_json_lines_when_asked() -> None:
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('odl.harvest').info('moissonnage', extra={'run_id': 3})"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "odl.settings", "ODL_LOG_FORMAT": "json"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    )
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["logger"] == "odl.harvest" and line["level"] == "INFO" and line["run_id"] == 3
    assert line["message"] == "moissonnage" and line["request_id"] == "-"


def test_a_validation_job_logs_its_start_and_end_with_its_id(
    db, json_lines: io.StringIO, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from odl.schemas.jobs import run_job
    from odl.schemas.models import ValidationJob

    upload = tmp_path / "vide.csv"
    upload.write_bytes(b"")
    job = ValidationJob.objects.create(batch=uuid.uuid4(), file_name="vide.csv", upload=str(upload))
    run_job(job.pk)
    events = [line for line in _lines(json_lines) if line.get("event") == "validation.job"]
    assert [e["phase"] for e in events] == ["start", "end"]
    assert all(e["job_id"] == str(job.pk) for e in events)
    job.refresh_from_db()
    assert events[1]["status"] == job.status and isinstance(events[1]["duration_s"], float)
