"""Reuses harvested from a loopback replay of data.gouv.fr's reuses endpoint (udata API v1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from odl.harvest.models import HarvestRun
from odl.harvest.signals import harvest_finished
from odl.reuses.harvest import harvest_reuses
from odl.reuses.management.commands.harvest_reuses import Command
from odl.reuses.models import Origin, Reuse
from tests.reuses.conftest import Server, World, dataset_ref, envelope, png, reuse_payload

pytestmark = pytest.mark.django_db


def serve(
    server: Server, by_dataset: dict[str, list[dict[str, Any]]], by_org: dict[str, list[dict[str, Any]]]
) -> None:
    """``?dataset=`` and ``?organization=`` answered in pages of two, linked by ``next_page``."""

    def handle(query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        key = query.get("dataset", [""])[0]
        items = by_dataset.get(key) if key else by_org.get(query.get("organization", [""])[0])
        items = items or []
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * 2 : page * 2]
        which = f"dataset={key}" if key else f"organization={query['organization'][0]}"
        more = page * 2 < len(items)
        next_page = f"{server.base}/api/1/reuses/?{which}&page={page + 1}&page_size=100" if more else None
        return 200, "application/json", envelope(chunk, page, len(items), next_page)

    server.routes["/api/1/reuses/"] = handle


def test_reuses_are_harvested_per_dataset_and_organisation_paged_and_deduplicated(
    server: Server, world: World
) -> None:
    base = server.base
    server.routes["/images/r1.png"] = lambda _q: (200, "image/png", png())
    server.routes["/images/faux.png"] = lambda _q: (200, "image/png", b"<html>pas une image</html>")
    velos = [
        reuse_payload(base, "r1", datasets=[dataset_ref("ds-velos")], image=f"{base}/images/r1.png"),
        reuse_payload(
            base, "r2", datasets=[dataset_ref("ds-velos"), dataset_ref("ds-arbres")], type="application"
        ),
        reuse_payload(
            base,
            "r3",
            datasets=[dataset_ref("ds-velos")],
            image=f"{base}/images/faux.png",
            type="news_article",
        ),
    ]
    serve(
        server,
        {"ds-velos": velos, "ds-arbres": [velos[1]]},
        {"org-rennes": [velos[0], reuse_payload(base, "r4", type="idea")]},
    )

    report = harvest_reuses()

    assert report.errors == [
        "image de « Réutilisation r3 » : Ce fichier n'est pas une image lisible (PNG, JPEG, GIF ou WebP attendu)."
    ]
    assert sorted(Reuse.objects.values_list("remote_id", flat=True)) == ["r1", "r2", "r3", "r4"]
    assert report.new == 4 and report.images == 1
    assert any("page=2" in hit for hit in server.hits), "the second page was followed"
    r1, r2, r3, r4 = (Reuse.objects.get(remote_id=f"r{i}") for i in range(1, 5))
    assert (r1.kind, r2.kind, r3.kind, r4.kind) == ("visualisation", "application", "article", "autre")
    assert r1.theme == "transport_and_mobility" and r1.author == "Ville de Rennes"
    assert r1.origin == Origin.DATAGOUV and r1.image_type == "image/png" and not r3.image
    assert set(r2.datasets.values_list("remote_id", flat=True)) == {"ds-velos", "ds-arbres"}
    assert list(r4.territories.all()) == [world.rennes], "published by the collectivité itself"
    assert list(r1.territories.all()) == [world.rennes]


def test_a_vanished_reuse_is_archived_not_deleted_and_a_correction_survives(
    server: Server, world: World, settings: Any
) -> None:
    base = server.base
    first = [
        reuse_payload(base, "r1", datasets=[dataset_ref("ds-velos")]),
        reuse_payload(base, "r2", datasets=[dataset_ref("ds-velos")]),
    ]
    serve(server, {"ds-velos": first}, {})
    harvest_reuses()
    Reuse.objects.filter(remote_id="r1").update(
        title="Titre corrigé par l'ATD", corrected_at="2026-01-01T00:00:00Z"
    )

    serve(
        server,
        {"ds-velos": [reuse_payload(base, "r1", title="Titre distant", datasets=[dataset_ref("ds-velos")])]},
        {},
    )
    report = harvest_reuses()

    assert report.archived == 1
    r1, r2 = Reuse.objects.get(remote_id="r1"), Reuse.objects.get(remote_id="r2")
    assert r1.title == "Titre corrigé par l'ATD" and r1.archived_at is None
    assert r2.archived_at is not None, "archived with its date, still stored"

    serve(server, {"ds-velos": first}, {})
    again = harvest_reuses()
    assert again.restored == 1 and Reuse.objects.get(remote_id="r2").archived_at is None


def test_a_failed_pass_archives_nothing(server: Server, world: World) -> None:
    serve(server, {"ds-velos": [reuse_payload(server.base, "r1", datasets=[dataset_ref("ds-velos")])]}, {})
    harvest_reuses()
    server.routes["/api/1/reuses/"] = lambda _q: (500, "text/plain", b"boom")

    report = harvest_reuses()

    assert report.errors and "erreur du serveur" in report.errors[0]
    assert Reuse.objects.get(remote_id="r1").archived_at is None


def test_a_reuse_whose_address_is_not_http_is_not_stored(server: Server, world: World) -> None:
    serve(server, {"ds-velos": [reuse_payload(server.base, "r1", url="javascript:alert(1)")]}, {})

    report = harvest_reuses()

    assert not Reuse.objects.exists()
    assert report.errors == ["réutilisation r1 : adresse refusée (« javascript:alert(1) »), ignorée"]


def test_a_payload_without_the_paged_envelope_is_a_french_error(server: Server, world: World) -> None:
    server.routes["/api/1/reuses/"] = lambda _q: (200, "application/json", json.dumps([1, 2]).encode())

    report = harvest_reuses()

    assert "pas de liste « data » paginée" in report.errors[0]


def test_the_harvest_signal_harvests_reuses_when_the_setting_allows(
    server: Server, world: World, settings: Any
) -> None:
    serve(server, {"ds-velos": [reuse_payload(server.base, "r1", datasets=[dataset_ref("ds-velos")])]}, {})
    HarvestRun.objects.create(source=world.source, status="success", finished_at=timezone.now())
    harvest_finished.send(sender=None)
    assert not Reuse.objects.exists(), "switched off in tests by default"

    settings.ODL_REUSES_AFTER_HARVEST = True
    harvest_finished.send(sender=None)
    assert Reuse.objects.filter(remote_id="r1").exists()
    calls = len(server.hits)
    harvest_finished.send(sender=None)
    assert len(server.hits) == calls, "not harvested again since: its reuses are not read again"
    HarvestRun.objects.create(source=world.source, status="success", finished_at=timezone.now())
    harvest_finished.send(sender=None)
    assert len(server.hits) > calls


def test_the_command_harvests_and_refuses_an_unknown_source(server: Server, world: World) -> None:
    serve(server, {"ds-velos": [reuse_payload(server.base, "r1", datasets=[dataset_ref("ds-velos")])]}, {})
    report = Command().handle_one([str(world.source.pk)], images=False)
    assert report.new == 1
    with pytest.raises(Exception, match="introuvable"):
        call_command("harvest_reuses", "999999")
