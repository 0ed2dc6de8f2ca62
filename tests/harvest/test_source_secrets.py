"""Credentials of harvest sources: never in a public address or message, encrypted at rest."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from harvest_replay import Replay

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestRun, HarvestSource
from odl.harvest.secrets import join_secrets, split_secrets
from odl.territories.models import Territory

pytestmark = pytest.mark.django_db
TURTLE = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://data.example.fr/d/budget> a dcat:Dataset ; dct:title "Budget primitif 2024"@fr .
"""
KEY = "cle-secrete-4f9a2b"
PASSWORD = "mot-de-passe-7c1d"


def test_an_address_is_split_into_its_public_part_and_its_credentials() -> None:
    url = f"https://robot:{PASSWORD}@portail.example.fr/api/dcat?rows=50&apikey={KEY}&Access_Token=t0k3n"
    public, secret = split_secrets(url)
    assert public == "https://portail.example.fr/api/dcat?rows=50"
    assert secret == {"userinfo": f"robot:{PASSWORD}", "query": [["apikey", KEY], ["Access_Token", "t0k3n"]]}
    assert join_secrets(public, secret) == (
        f"https://robot:{PASSWORD}@portail.example.fr/api/dcat?rows=50&apikey={KEY}&Access_Token=t0k3n"
    )
    assert split_secrets("https://portail.example.fr/api?q=a,b") == (
        "https://portail.example.fr/api?q=a,b",
        {},
    )


def test_a_declared_source_keeps_its_credentials_encrypted_apart(
    small_referentiel: Path, coordinator_client: Client
) -> None:
    response = coordinator_client.post(
        reverse("harvest:source_new"),
        {
            "name": "Portail protégé",
            "kind": "dcat",
            "url": f"https://robot:{PASSWORD}@portail.example.fr/dcat?apikey={KEY}",
            "schedule": "weekly",
        },
    )
    assert response.status_code == 302
    source = HarvestSource.objects.get()
    assert source.url == "https://portail.example.fr/dcat"
    assert source.harvest_url == f"https://robot:{PASSWORD}@portail.example.fr/dcat?apikey={KEY}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT url, secret FROM observatory_harvestsource WHERE id = %s", [source.pk])
        stored_url, stored_secret = cursor.fetchone()
    assert KEY not in stored_secret and PASSWORD not in stored_secret
    assert base64.urlsafe_b64decode(stored_secret)[0] == 0x80  # a Fernet token
    page = coordinator_client.get(reverse("harvest:source", args=[source.pk])).content.decode()
    assert "portail.example.fr/dcat" in page and KEY not in page and PASSWORD not in page


def test_the_harvest_uses_the_credentials_and_its_messages_mask_them(replay: Replay) -> None:
    def protected(_path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if query.get("apikey") != [KEY]:
            return 401, {"Content-Type": "text/plain"}, b"cle manquante"
        return 200, {"Content-Type": "text/turtle"}, TURTLE

    replay.handler("/dcat", protected)
    replay.handler("/panne", lambda _p, _q: (404, {"Content-Type": "text/plain"}, b"absent"))
    ok = HarvestSource.objects.create(name="ok", kind="dcat", url=replay.url(f"/dcat?apikey={KEY}"))
    assert ok.url == replay.url("/dcat")
    assert run_source(ok, announce_after=False).status == "success"
    broken = HarvestSource.objects.create(name="cassée", kind="dcat", url=replay.url(f"/panne?token={KEY}"))
    run = run_source(broken, announce_after=False)
    assert run.status == "failed"
    assert "code HTTP 404" in run.message and "token=•••" in run.message
    assert KEY not in run.message


def test_the_api_shows_no_credentials_and_no_atd_source_to_others(
    small_referentiel: Path, atd_agent: Any, coordinator: Any, client: Client
) -> None:
    HarvestSource.objects.create(name="nationale", kind="dcat", url=f"https://a.example.fr/dcat?key={KEY}")
    private = HarvestSource.objects.create(
        name="de l'ATD",
        kind="dcat",
        url="https://b.example.fr/dcat",
        owner=Territory.objects.get(kind="departement", code="35"),
    )
    HarvestRun.objects.create(source=private, status="success", message="4 jeux vus")
    public = client.get("/api/observatoire/sources").json()
    assert [(s["name"], s["url"]) for s in public] == [("nationale", "https://a.example.fr/dcat")]
    assert client.get(f"/api/observatoire/sources/{private.pk}/passages").status_code == 404
    for user in (atd_agent, coordinator):
        member = Client()
        member.force_login(user)
        names = {s["name"] for s in member.get("/api/observatoire/sources").json()}
        assert names == {"nationale", "de l'ATD"}
        runs = member.get(f"/api/observatoire/sources/{private.pk}/passages").json()
        assert [r["message"] for r in runs] == ["4 jeux vus"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_credentials_out_of_existing_sources_and_runs() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("harvest", "0004_source_secret")])
    old = executor.loader.project_state([("harvest", "0004_source_secret")]).apps
    Source = old.get_model("harvest", "HarvestSource")
    Run = old.get_model("harvest", "HarvestRun")
    leaked = f"https://robot:{PASSWORD}@portail.example.fr/api?apikey={KEY}"
    source = Source.objects.create(name="ancienne", kind="dcat", url=leaked)
    Run.objects.create(
        source=source,
        status="failed",
        message=f"DCAT : code HTTP 500 pour {leaked}",
        errors=[{"remote_id": "x", "error": f"clé {KEY} refusée"}],
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = HarvestSource.objects.get(pk=source.pk)
    assert moved.url == "https://portail.example.fr/api"
    assert moved.harvest_url == leaked
    run = HarvestRun.objects.get(source=moved)
    assert run.message == "DCAT : code HTTP 500 pour https://•••@portail.example.fr/api?apikey=•••"
    assert run.errors == [{"remote_id": "x", "error": "clé ••• refusée"}]
