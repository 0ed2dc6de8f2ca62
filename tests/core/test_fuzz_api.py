"""Schemathesis against the OpenAPI description: every endpoint, with generated parameters and bodies,
answers below 500, and its answers match what the description promises when they succeed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from odl.api import api
from tests import personas

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

# Each operation is its own test: a few examples each keep the operations under a minute.
FEW = settings(max_examples=max(5, settings.default.max_examples // 6))


@pytest.fixture
def session_cookie(settings: Any, small_referentiel: Any) -> Iterator[dict[str, str]]:
    """A référentiel to find things in, and a coordinator's session: the ATD endpoints are reached
    too, not only their 401 (the permission matrix checks who may call what)."""
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(personas.coordinator())
    # Schemathesis calls the WSGI handler itself, whose start and end of request close the database
    # connection (Django's test client unhooks both): on PostgreSQL the test's own transaction would go.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@FEW
def test_every_endpoint_answers_below_500_and_as_described(
    case: schemathesis.Case, session_cookie: dict[str, str]
) -> None:
    response = case.call(cookies=session_cookie)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
    if response.status_code < 300:
        case.validate_response(response, checks=[response_schema_conformance])
