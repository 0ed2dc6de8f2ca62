"""/healthz: what a reverse proxy or a monitoring probe reads."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_ok_on_the_embedded_default(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["statut"] == "ok" and body["base"] == "ok" and body["cache"] == "ok"
    assert body["file"].startswith("non configuré")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_says_which_part_is_down_when_the_broker_does_not_answer(
    client: Client, settings: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    from odl.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["statut"] == "dégradé" and body["base"] == "ok"
    assert body["file"].startswith("injoignable")


@pytest.mark.django_db
def test_healthz_refuses_anything_but_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
