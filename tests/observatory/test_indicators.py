"""Indicators for any perimeter and any snapshot date, from the engine and from ``odl indicators``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from odl.harvest.models import HarvestedDataset
from odl.observatory.history import take_snapshot
from odl.observatory.indicators import IndicatorError, measure, measure_all, pick_snapshot
from odl.observatory.management.commands.indicators import Command
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.territories.models import Territory
from odl.territories.targeting import build_criteria


@pytest.fixture
def two_snapshots(harvested):
    """A snapshot 35 days ago, then today's after Betton's dataset vanished and Saint-Brieuc published."""
    old = take_snapshot(timezone.localdate() - dt.timedelta(days=35))
    saint_brieuc = Territory.objects.get(kind="commune", code="22278")
    publisher = harvested.publishers["betton"].__class__.objects.create(
        source=harvested.datagouv,
        remote_id="sb",
        name="Ville de Saint-Brieuc",
        territory=saint_brieuc,
        match_status="auto",
    )
    HarvestedDataset.objects.create(
        source=harvested.datagouv, publisher=publisher, remote_id="sb-1", title="Menus"
    )
    new = take_snapshot()
    return old, new


def test_open_collectivites_and_the_rate_among_the_obliged_name_their_denominator(harvested):
    snapshot = take_snapshot()
    result = measure(build_criteria(departements=["35"]), snapshot)
    figures = result.as_dict()
    # Ille-et-Vilaine: Rennes and Rennes Métropole are open.
    assert figures["open"] == 2
    by_kind = {row["kind"]: row for row in figures["by_kind"]}
    assert by_kind["commune"]["open"] == 1 and by_kind["epci"]["open"] == 1
    # Obliged here: département 35, Rennes Métropole, Rennes, Bruz, Pacé, Betton, Acigné (3 512 > 3 500).
    assert figures["obliged"] == 7
    assert figures["open_obliged"] == 2
    assert figures["rate_obliged"] == round(100 * 2 / 7, 1)
    assert "plus de 3500 habitants" in figures["denominator"]
    assert figures["datasets"] == 4  # Rennes 2 + Rennes Métropole 2 (its duplicate counted once)


def test_population_covered_counts_the_communes_under_an_open_collectivite(harvested):
    figures = measure(build_criteria(departements=["35"]), take_snapshot()).figures
    communes = Territory.objects.filter(kind="commune", departement_code="35", active=True)
    metropole = communes.filter(epci__code="243500139")
    assert figures["population_communes"] == sum(c.population for c in communes)
    assert figures["population_covered"] == sum(c.population for c in metropole)
    assert figures["population_open"] == Territory.objects.get(kind="commune", code="35238").population


def test_breakdowns_by_technology_population_band_and_scdl_schema(harvested):
    figures = measure(build_criteria(), take_snapshot()).figures
    assert {row["technology"]: row["open"] for row in figures["by_technology"]} == {
        "data.gouv.fr": 1,
        "Opendatasoft": 1,
    }
    bands = {row["band"]: row for row in figures["by_population_band"]}
    assert bands["plus de 200 000"]["open"] == 1  # Rennes
    small_towns = Territory.objects.filter(
        kind="commune", active=True, population__gt=3500, population__lte=10000
    )
    assert bands["3 500 – 10 000"]["obliged"] == small_towns.count() >= 1  # Acigné among them
    assert bands["moins de 3 500"]["obliged"] == 0
    schemas = {row["schema"]: row["collectivites"] for row in figures["scdl"]["schemas"]}
    assert schemas == {"scdl/subventions": 1, "scdl/deliberations": 1}
    assert figures["scdl"]["valid"] is None  # no validator: unknown, said so


def test_new_and_lost_since_the_previous_snapshot(two_snapshots):
    old, new = two_snapshots
    result = measure(build_criteria(regions=["53"]), new)
    assert result.previous == old
    assert result.figures["new"] == 2  # Saint-Brieuc, and Rennes Métropole (first seen 30 days ago)
    assert result.figures["lost"] == 1  # Betton
    assert [r["nom"] for r in result.rows("lost")] == ["Betton"]
    assert {r["nom"] for r in result.rows("new")} == {"Saint-Brieuc", "Rennes Métropole"}
    first = measure(build_criteria(regions=["53"]), old)
    assert first.figures["new"] is None  # nothing to compare with


def test_any_snapshot_date_picks_the_latest_snapshot_on_or_before_it(two_snapshots):
    old, new = two_snapshots
    assert pick_snapshot(timezone.localdate() - dt.timedelta(days=1)) == old
    assert pick_snapshot() == new
    with pytest.raises(IndicatorError, match="Aucun instantané à la date"):
        pick_snapshot(dt.date(2000, 1, 1))


def test_every_perimeter_at_once_gives_the_same_figures_as_one_perimeter_at_a_time(two_snapshots):
    _, snapshot = two_snapshots
    rule = build_criteria().rule
    everything = measure_all(snapshot, rule)
    assert everything["FR"] == measure(build_criteria(), snapshot).figures
    for territory in Territory.objects.collectivites().exclude(kind="commune"):
        key = {"region": "R", "departement": "D", "epci": "E"}[territory.kind] + ":" + territory.code
        field = {"region": "regions", "departement": "departements", "epci": "epcis"}[territory.kind]
        criteria = build_criteria(**{field: [territory.code]})
        assert everything[key] == measure(criteria, snapshot).figures, key


def test_other_organisations_of_an_odf_edition_are_counted_apart(small_referentiel):
    snapshot = Snapshot.objects.create(
        date=dt.date(2021, 12, 31), label="ODF 2021", origin="odf", edition=2021
    )
    rennes = Territory.objects.get(kind="commune", code="35238")
    SnapshotEntry.objects.create(
        snapshot=snapshot, territory=rennes, siren=rennes.siren, nom="RENNES", datasets_count=5
    )
    SnapshotEntry.objects.create(
        snapshot=snapshot,
        siren="306966110",
        nom="ADEUPa",
        organisation_type="OACT",
        region_code="53",
        departement_code="29",
        datasets_count=12,
    )
    figures = measure(build_criteria(regions=["53"]), snapshot).figures
    assert figures["open"] == 1 and figures["datasets"] == 5
    assert figures["other_organisations_open"] == 1


def test_the_command_prints_json_and_csv_and_refuses_bad_input(harvested, capsys):
    take_snapshot()
    call_command("indicators", "--departement", "35", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["perimeter"] == "Ille-et-Vilaine" and data["open"] == 2
    assert data["snapshot"]["method"].startswith("Calcul de la plateforme")
    call_command("indicators", "--region", "53", "--format", "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "indicateur,ventilation,valeur"
    assert "open_obliged,,2" in lines
    command = Command()
    with pytest.raises(CommandError, match="Région inconnu"):
        command.handle_one(["99"], [], [])
    with pytest.raises(CommandError, match="invalide") as info:
        command.handle_one([], [], [], "2024-13-01")
    assert info.value.returncode == 2


def test_the_command_says_what_to_do_when_there_is_no_snapshot(small_referentiel):
    with pytest.raises(CommandError, match="odl import_observatoire"):
        Command().handle_one([], [], [])


def test_the_command_measures_a_saved_perimeter(harvested, atd_agent):
    from odl.territories.models import Perimeter

    take_snapshot()
    Perimeter.objects.create(
        name="Métropole rennaise", slug="metropole-rennaise", query="epci=243500139", owner=atd_agent
    )
    result = Command().handle_one([], [], [], None, "metropole-rennaise")
    assert result.label == "Métropole rennaise" and result.figures["open"] == 2
    with pytest.raises(CommandError, match="Périmètre enregistré inconnu"):
        Command().handle_one([], [], [], None, "nulle-part")
