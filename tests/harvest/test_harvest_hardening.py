"""Harvests that cannot be turned against the platform: RDF parsing, budgets, the address guard, locks."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from harvest_replay import Replay

from odl.core import netguard
from odl.core.processes import process_token
from odl.harvest import tasks
from odl.harvest.harvesters.dcat import DcatClient
from odl.harvest.harvesters.errors import HarvestError, SourceUrlError
from odl.harvest.harvesters.runner import run_source
from odl.harvest.harvesters.sources import check_source
from odl.harvest.models import HarvestRun, HarvestSource

pytestmark = pytest.mark.django_db

DCAT = "http://www.w3.org/ns/dcat#"
TURTLE = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://data.example.fr/catalogue> a dcat:Catalog ; dcat:dataset <https://data.example.fr/d/budget> .
<https://data.example.fr/d/budget> a dcat:Dataset ; dct:title "Budget primitif 2024"@fr .
"""


def dataset_node(**extra: Any) -> dict[str, Any]:
    return {"@id": "https://data.example.fr/d/1", "@type": f"{DCAT}Dataset", **extra}


REMOTE = "/contexte.jsonld"


def remote_context_documents(base: str) -> dict[str, Any]:
    """JSON-LD catalogues whose contexts would be fetched from ``base`` at every depth JSON-LD allows."""
    url = base + REMOTE
    return {
        "nested node": {
            "@context": {"dcat": DCAT},
            "@graph": [dataset_node(**{"@context": url, "title": "Budget"})],
        },
        "scoped context": {
            "@context": {"dcat": DCAT, "distribution": {"@id": f"{DCAT}distribution", "@context": url}},
            "@graph": [dataset_node(distribution={"title": "CSV"})],
        },
        "@import": {"@context": {"@import": url, "dcat": DCAT}, "@graph": [dataset_node()]},
        "list of contexts": {"@context": [{"dcat": DCAT}, url], "@graph": [dataset_node()]},
        "deep list": [{"@context": [[{"dcat": DCAT}]]}, {"@graph": [dataset_node(**{"@context": [url]})]}],
    }


@pytest.mark.parametrize(
    "name", ["nested node", "scoped context", "@import", "list of contexts", "deep list"]
)
def test_no_remote_json_ld_context_is_ever_fetched(replay: Replay, name: str) -> None:
    replay.json(REMOTE, {"@context": {"title": "http://purl.org/dc/terms/title"}})
    document = remote_context_documents(replay.base)[name]
    replay.raw("/catalogue.jsonld", json.dumps(document).encode(), "application/ld+json")
    source = HarvestSource.objects.create(name="ld", kind="dcat", url=replay.url("/catalogue.jsonld"))
    run = run_source(source, announce_after=False)
    assert run.status == "failed"
    assert "contexte distant" in run.message and REMOTE in run.message
    assert REMOTE not in replay.hits


def test_an_inline_context_still_harvests(replay: Replay) -> None:
    document = {
        "@context": {"dcat": DCAT, "title": {"@id": "http://purl.org/dc/terms/title", "@language": "fr"}},
        "@graph": [{"@id": "https://data.example.fr/d/1", "@type": "dcat:Dataset", "title": "Budget"}],
    }
    replay.raw("/catalogue.jsonld", json.dumps(document).encode(), "application/ld+json")
    run = run_source(
        HarvestSource.objects.create(name="ld", kind="dcat", url=replay.url("/catalogue.jsonld")),
        announce_after=False,
    )
    assert (run.status, run.items_seen) == ("success", 1)


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
        '<dcat:Dataset rdf:about="https://data.example.fr/d/1"><dct:title>&lol9;</dct:title></dcat:Dataset>'
        "</rdf:RDF>"
    ).encode()


def run_in_thread(source: HarvestSource) -> HarvestRun | None:
    """Run the harvest where a hang cannot take the suite with it (the thread is abandoned)."""
    found: list[HarvestRun] = []

    def target() -> None:
        try:
            found.append(run_source(source, announce_after=False))
        finally:
            connections.close_all()  # this thread's own connection, or PostgreSQL keeps the test base busy

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(120)
    return found[0] if found else None


@pytest.mark.django_db(transaction=True)
def test_a_billion_laughs_rdf_xml_fails_at_once_with_a_french_message(replay: Replay) -> None:
    bomb = billion_laughs()
    assert len(bomb) < 1500
    replay.raw("/catalog.rdf", bomb, "application/rdf+xml")
    run = run_in_thread(
        HarvestSource.objects.create(name="bombe", kind="dcat", url=replay.url("/catalog.rdf"))
    )
    assert run is not None, "l'analyse du RDF/XML ne s'est pas terminée"
    assert run.status == "failed"
    assert "DTD" in run.message and "entités" in run.message


def test_rdf_xml_without_a_dtd_still_harvests(replay: Replay, harvest_data: Path) -> None:
    replay.raw(
        "/catalog.xml", (harvest_data / "dcat/udata-tests/catalog.xml").read_bytes(), "application/rdf+xml"
    )
    run = run_source(
        HarvestSource.objects.create(name="ok", kind="dcat", url=replay.url("/catalog.xml")),
        announce_after=False,
    )
    assert (run.status, run.items_seen) == ("success", 4)


@pytest.fixture
def trickle() -> Iterator[str]:
    """A server that sends a valid Turtle catalogue a few bytes at a time, for about a minute."""
    padding = b"".join(b"# commentaire de remplissage\n" for _ in range(1200))
    body = TURTLE + padding

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for start in range(0, len(body), 29):
                    self.wfile.write(body[start : start + 29])
                    self.wfile.flush()
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/catalogue.ttl"
    server.shutdown()
    server.server_close()


def test_a_source_that_trickles_past_its_budget_fails_alone(
    small_referentiel: Path, replay: Replay, trickle: str, settings: Any
) -> None:
    # Each read gets bytes well within the timeout: only the wall-clock budget can stop it.
    # Generous enough for the normal source on a loaded machine, far below the trickle's minute.
    settings.ODL_HARVEST_SOURCE_BUDGET = 5.0
    replay.raw("/ok.ttl", TURTLE, "text/turtle")
    slow = HarvestSource.objects.create(name="goutte à goutte", kind="dcat", url=trickle)
    fine = HarvestSource.objects.create(name="normale", kind="dcat", url=replay.url("/ok.ttl"))
    runs = {run.source_id: run for run in tasks.harvest([slow, fine])}
    assert runs[slow.pk].status == "failed"
    assert "temps imparti" in runs[slow.pk].message
    assert "rien n'a été modifié" in runs[slow.pk].message
    assert (runs[fine.pk].status, runs[fine.pk].items_seen) == ("success", 1), runs[fine.pk].message
    assert not slow.datasets.exists()


# ---------------------------------------------------------------- the internal-address guard


@pytest.fixture
def guarded(settings: Any) -> None:
    settings.ODL_ALLOW_INTERNAL_SOURCE_HOSTS = False
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/catalogue.ttl",
        "http://localhost/catalogue.ttl",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/catalogue",
        "http://10.0.0.7/dcat",
    ],
)
def test_a_declared_source_on_an_internal_address_is_refused(guarded: None, url: str) -> None:
    with pytest.raises(SourceUrlError, match="adresse interne refusée"):
        check_source("dcat", url, {})


def test_loopback_sources_are_allowed_for_tests_and_local_portals(settings: Any) -> None:
    settings.ODL_ALLOW_INTERNAL_SOURCE_HOSTS = True
    assert check_source("dcat", "http://127.0.0.1:8080/catalogue.ttl", {}).startswith("http://127.0.0.1")


def test_every_redirect_hop_goes_through_the_guard(
    guarded: None, replay: Replay, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The replay server (127.0.0.1) stands for a public portal; it redirects to another loopback address.
    real = netguard._is_public
    monkeypatch.setattr(netguard, "_is_public", lambda address: address == "127.0.0.1" or real(address))
    port = replay.base.rsplit(":", 1)[1]
    replay.handler("/dcat", lambda _p, _q: (302, {"Location": f"http://127.0.0.2:{port}/admin"}, b""))
    source = HarvestSource.objects.create(name="redirige", kind="dcat", url=replay.url("/dcat"))
    run = run_source(source, announce_after=False)
    assert run.status == "failed"
    assert "adresse interne refusée (127.0.0.2)" in run.message
    assert replay.hits == {"/dcat": 1}


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Names answered from a table: each lookup of a name pops its next answer (the last one stays).

    Connections to anything but 127.0.0.1 are recorded and refused: no packet leaves the machine.
    """
    answers: dict[str, list[list[str]]] = {}
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.create_connection
    connected: list[list[str]] = [[]]

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            queue = answers[host]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port or 0))) for a in addresses]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        host, port = address
        ip = getaddrinfo(host, port)[0][4][0]
        connected[0].append(ip)
        if ip != "127.0.0.1":
            raise ConnectionRefusedError(f"test : pas de connexion vers {ip}")
        return real_connect((ip, port), *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    answers["__connected__"] = connected
    return answers


def test_the_guard_connects_to_the_address_it_checked(
    guarded: None, replay: Replay, fake_dns: dict[str, list[list[str]]]
) -> None:
    """DNS rebinding: public when checked, loopback a moment later. The connection keeps the first answer."""
    replay.raw("/catalogue.ttl", TURTLE, "text/turtle")
    port = replay.base.rsplit(":", 1)[1]
    fake_dns["rebind.example"] = [["93.184.216.34"], ["127.0.0.1"]]
    with netguard.guarded_client(timeout=2) as client, pytest.raises(httpx.ConnectError):
        client.get(f"http://rebind.example:{port}/catalogue.ttl")
    assert fake_dns["__connected__"][0] == ["93.184.216.34"]
    assert replay.hits == {}


def test_a_harvest_client_refuses_a_name_that_resolves_inside(
    guarded: None, replay: Replay, fake_dns: dict[str, list[list[str]]]
) -> None:
    fake_dns["portail.example"] = [["10.1.2.3"]]
    client = DcatClient("http://portail.example/dcat")
    with pytest.raises(HarvestError, match=r"adresse interne refusée \(portail.example\)"):
        client.fetch("http://portail.example/dcat")
    client.close()
    assert fake_dns["__connected__"][0] == []


def test_testing_a_source_goes_through_the_guard(
    guarded: None, small_referentiel: Path, coordinator_client: Client, fake_dns: dict[str, list[list[str]]]
) -> None:
    fake_dns["intranet.example"] = [["192.168.1.20"]]
    response = coordinator_client.post(
        reverse("harvest:source_new"),
        {
            "name": "Intranet",
            "kind": "dcat",
            "url": "http://intranet.example/catalogue.ttl",
            "schedule": "weekly",
            "action": "test",
        },
    )
    assert response.status_code == 200
    assert "adresse interne refusée (intranet.example)" in response.content.decode()
    assert fake_dns["__connected__"][0] == []
    assert not HarvestSource.objects.exists()


# ---------------------------------------------------------------- locks held by dead processes


@pytest.fixture
def holder() -> Iterator[subprocess.Popen[str]]:
    """A separate process that takes a harvest token (as a harvesting worker does) and waits."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from odl.core.processes import process_token; "
            "print(process_token(), flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    yield child
    if child.poll() is None:
        child.kill()
    child.wait()
    assert child.stdout is not None
    child.stdout.close()


def test_a_lock_held_by_a_killed_process_is_released_at_once(
    replay: Replay, holder: subprocess.Popen[str]
) -> None:
    replay.raw("/catalogue.ttl", TURTLE, "text/turtle")
    source = HarvestSource.objects.create(name="s", kind="dcat", url=replay.url("/catalogue.ttl"))
    assert holder.stdout is not None
    token = holder.stdout.readline().strip()
    held = HarvestRun.objects.create(
        source=source, status="running", worker=token, heartbeat_at=timezone.now()
    )

    blocked = run_source(source, announce_after=False)
    assert (blocked.status, blocked.message) == (
        "failed",
        "un autre moissonnage de cette source est déjà en cours",
    )

    holder.send_signal(signal.SIGKILL)
    holder.wait()
    run = run_source(source, announce_after=False)
    assert (run.status, run.items_seen) == ("success", 1)
    held.refresh_from_db()
    assert held.status == "failed" and held.finished_at is not None
    pid = token.split(":")[1]
    assert held.message == (
        f"interrompu : le processus {pid} qui moissonnait cette source s'est arrêté ; "
        "le verrou de la source a été libéré"
    )


def test_a_run_held_elsewhere_is_released_when_its_heartbeat_stops(replay: Replay, settings: Any) -> None:
    settings.ODL_HARVEST_STALE_SECONDS = 600
    replay.raw("/catalogue.ttl", TURTLE, "text/turtle")
    source = HarvestSource.objects.create(name="s", kind="dcat", url=replay.url("/catalogue.ttl"))
    # Another host: its PID means nothing here, only the heartbeat tells.
    alive = HarvestRun.objects.create(
        source=source, status="running", worker="autre-serveur:4242:1", heartbeat_at=timezone.now()
    )
    assert run_source(source, announce_after=False).status == "failed"
    HarvestRun.objects.filter(pk=alive.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(minutes=11)
    )
    run = run_source(source, announce_after=False)
    assert run.status == "success"
    alive.refresh_from_db()
    assert alive.status == "failed"
    assert alive.message.startswith("interrompu : plus aucun signe de vie du moissonnage depuis le ")


def test_a_run_records_its_holder_and_heartbeat(replay: Replay) -> None:
    replay.raw("/catalogue.ttl", TURTLE, "text/turtle")
    run = run_source(
        HarvestSource.objects.create(name="s", kind="dcat", url=replay.url("/catalogue.ttl")),
        announce_after=False,
    )
    run.refresh_from_db()
    assert run.worker == process_token()
    assert run.heartbeat_at is not None and run.heartbeat_at >= run.started_at
