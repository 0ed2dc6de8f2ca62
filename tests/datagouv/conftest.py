"""A local data.gouv.fr (udata_replay.py) and a collectivité linked to its organisation there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from udata_replay import VALID_KEY, Udata, serve

from odl.datagouv.models import DatagouvLink
from odl.territories.models import Territory


@pytest.fixture
def udata(settings: Any) -> Iterator[Udata]:
    state = Udata()
    server = serve(state)
    settings.ODL_DATAGOUV_API_URL = state.base + "/api/1/"
    # The replay listens on loopback, which the guard refuses outside tests.
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = True
    settings.ODL_DATAGOUV_TIMEOUT = 5.0
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def rennes(small_referentiel: Path) -> Territory:
    return Territory.objects.get(kind="commune", code="35238")


@pytest.fixture
def rennes_org(udata: Udata) -> dict[str, Any]:
    return udata.organization("Ville de Rennes", "21350238800019", slug="ville-de-rennes")


@pytest.fixture
def link(rennes: Territory, rennes_org: dict[str, Any]) -> DatagouvLink:
    link = DatagouvLink.objects.create(
        territory=rennes,
        organization_id=rennes_org["id"],
        organization_name=rennes_org["name"],
        organization_slug=rennes_org["slug"],
    )
    link.set_api_key(VALID_KEY, None)
    link.save()
    return link
