"""Départements and régions carry their SIREN from the référentiel's own data, without a manual import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from harvest_replay import Replay, paged_ckan

from odl.core.identifiers import is_valid_siren
from odl.harvest.harvesters.runner import run_source
from odl.harvest.matching import ReferentielIndex, match
from odl.harvest.models import HarvestSource, Publisher
from odl.territories.loader import load_referentiel
from odl.territories.models import Kind, Territory
from odl.territories.sirens import SOURCES, facts

pytestmark = pytest.mark.django_db

# Collectivités that carry no SIREN of their own: another one exercises their competences (the loader's
# EXERCISED_BY), or they are collectivités d'outre-mer the sources do not give.
WITHOUT_SIREN = {
    ("departement", "2A"),
    ("departement", "2B"),
    ("departement", "75"),
    ("departement", "972"),
    ("departement", "973"),
    ("region", "06"),
}


def test_every_fact_is_a_valid_siren_with_a_named_source() -> None:
    assert len(facts()) >= 110
    for fact in facts():
        assert is_valid_siren(fact.siren), fact
        assert all(is_valid_siren(old) for old in fact.former), fact
        assert fact.sources and all(source in SOURCES for source in fact.sources), fact
    sirens = [fact.siren for fact in facts()]
    assert len(sirens) == len(set(sirens))


def test_every_departement_and_region_of_the_real_referentiel_gets_its_siren(npm_referentiel: Path) -> None:
    load_referentiel(npm_referentiel)
    missing = {
        (t.kind, t.code)
        for t in Territory.objects.collectivites().filter(
            kind__in=[Kind.DEPARTEMENT, Kind.REGION], zone__in=["metro", "drom"], siren=""
        )
    }
    assert missing == WITHOUT_SIREN
    assert Territory.objects.get(kind=Kind.REGION, code="94").siren == "200076958"
    assert Territory.objects.get(kind=Kind.DEPARTEMENT, code="974").siren == "229740014"


def test_a_siren_imported_by_a_person_survives_a_reload(small_referentiel: Path) -> None:
    assert Territory.objects.get(kind=Kind.DEPARTEMENT, code="35").siren == "223500018"
    Territory.objects.filter(kind=Kind.REGION, code="53").update(siren="235300019")
    load_referentiel(small_referentiel, cog_year=2026)
    assert Territory.objects.get(kind=Kind.REGION, code="53").siren == "235300019"


def test_a_declared_siret_of_a_departement_or_a_region_matches_by_siren(small_referentiel: Path) -> None:
    index = ReferentielIndex()
    departement = match("CD35 - service SIG", "22350001800013", {}, index, None)
    assert (departement.status, departement.method) == ("auto", "siren")
    assert Territory.objects.get(pk=departement.territory_id).code == "35"
    # OpenDataFrance's 2021 table still has the Région de Corse's SIREN from before 2018.
    corse = match("Collectivité de Corse", "232000018", {}, index, None)
    assert (corse.status, Territory.objects.get(pk=corse.territory_id).code) == ("auto", "94")


def test_the_api_gives_the_siren_of_a_departement_matched_by_name(
    client: Client, replay: Replay, harvest_data: Path, small_referentiel: Path
) -> None:
    packages = json.loads((harvest_data / "ckan/demo.ckan.org-package_search.json").read_text())["result"][
        "results"
    ]
    packages[0]["organization"] = {"id": "cd35", "name": "cd35", "title": "Département d'Ille-et-Vilaine"}
    packages[1]["organization"] = {"id": "bzh", "name": "bzh", "title": "Région Bretagne"}
    paged_ckan(replay, packages)
    run_source(HarvestSource.objects.create(name="Portail", kind="ckan", url=replay.url()))
    assert Publisher.objects.get(remote_id="cd35").match_method == "name"
    page = client.get("/api/observatoire/jeux?page_size=100").json()
    by_publisher = {row["publisher"]: row["collectivite_siren"] for row in page["results"]}
    assert by_publisher["Département d'Ille-et-Vilaine"] == "223500018"
    assert by_publisher["Région Bretagne"] == "233500016"
