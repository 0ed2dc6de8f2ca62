"""Taking dated snapshots of who publishes from the harvested datasets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from odl.harvest.models import HarvestedDataset
from odl.observatory.history import take_snapshot
from odl.observatory.management.commands.snapshot import Command
from odl.observatory.models import Snapshot


def _by_name(snapshot: Snapshot) -> dict[str, object]:
    return {e.nom: e for e in snapshot.entries.all()}


def test_a_collectivite_is_open_when_a_counted_dataset_is_published_under_its_name(harvested):
    snapshot = take_snapshot()
    entries = _by_name(snapshot)
    assert {name for name, e in entries.items() if e.is_open} == {"Rennes", "Rennes Métropole"}
    assert snapshot.origin == "harvest" and snapshot.date == timezone.localdate()


def test_duplicates_across_platforms_count_once_and_pending_or_archived_do_not_count(harvested):
    entries = _by_name(take_snapshot())
    metropole = entries["Rennes Métropole"]
    # Équipements (twice: portal + data.gouv.fr) and the dataset published for Pacé.
    assert metropole.datasets_count == 2
    assert metropole.platforms == ["Data Rennes Métropole"]
    assert metropole.technologies == ["Opendatasoft"]
    assert "Bruz" not in entries  # its publisher still waits for review
    assert "Betton" not in entries  # its only dataset vanished at the source


def test_published_on_behalf_of_is_recorded_without_making_the_other_open(harvested):
    entries = _by_name(take_snapshot())
    pace = entries["Pacé"]
    assert pace.is_open is False and pace.datasets_count == 0
    assert pace.raw["published_for_by"] == ["Rennes Métropole"]
    assert entries["Rennes Métropole"].on_behalf_of == ["213502065"]


def test_scdl_schemas_first_and_last_seen_are_kept_per_collectivite(harvested):
    rennes = _by_name(take_snapshot())["Rennes"]
    assert rennes.schemas == ["scdl/subventions"]
    assert rennes.scdl_resources == 1
    assert rennes.scdl_valid is None  # nothing checked: unknown, not zero
    assert (
        rennes.first_seen is not None
        and rennes.first_seen.date() == (timezone.now() - dt.timedelta(days=40)).date()
    )


def test_the_stored_resource_checks_fill_the_share_of_valid_scdl_resources(harvested):
    # What the after-harvest checks store on each dataset, one entry per resource and schema.
    for key, valid in (("rennes_subventions", True), ("pace", False)):
        dataset = harvested.datasets[key]
        url = f"{dataset.url}/fichier.csv"
        dataset.resources = [{"url": url, "format": "csv"}]
        dataset.scdl_validation = [{"url": url, "schema": dataset.schemas[0], "valid": valid, "errors": 0}]
        dataset.save()
    entries = _by_name(take_snapshot())
    assert (entries["Rennes"].scdl_valid, entries["Rennes"].scdl_checked) == (1, 1)
    assert (entries["Rennes Métropole"].scdl_valid, entries["Rennes Métropole"].scdl_checked) == (0, 1)


def test_a_past_date_reconstructs_the_state_of_that_day(harvested):
    snapshot = take_snapshot(timezone.localdate() - dt.timedelta(days=35))
    entries = _by_name(snapshot)
    # 35 days ago Betton's dataset was still online; only Rennes' subventions were already seen.
    assert entries["Betton"].is_open
    assert entries["Rennes"].datasets_count == 1


def test_one_platform_snapshot_per_day_retaking_replaces_it(harvested):
    take_snapshot()
    HarvestedDataset.objects.filter(remote_id="r-2").update(archived_at=timezone.now())
    snapshot = take_snapshot()
    assert Snapshot.objects.filter(origin="harvest").count() == 1
    assert _by_name(snapshot)["Rennes"].datasets_count == 1


def test_the_command_takes_a_snapshot_and_rejects_a_bad_date(harvested):
    command = Command()
    snapshot = command.handle_one(None)
    assert snapshot.report["open"] == 2 and snapshot.report["published_for_only"] == 1
    with pytest.raises(CommandError, match="invalide") as info:
        command.handle_one("31/12/2025")
    assert info.value.returncode == 2


def test_the_command_lists_the_history_of_snapshots(harvested, capsys):
    from django.core.management import call_command

    take_snapshot(timezone.localdate() - dt.timedelta(days=35))
    call_command("snapshot")
    out = capsys.readouterr().out
    assert "2 collectivités ouvertes" in out
    call_command("snapshot", "--list")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("harvest" in line for line in lines)
