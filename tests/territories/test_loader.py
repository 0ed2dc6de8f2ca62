import json
import shutil
from pathlib import Path

import pytest

from odl.territories.loader import ReferentielError, load_referentiel
from odl.territories.models import AgentCount, Kind, ReferentielLoad, Territory


def test_it_loads_the_small_referentiel_with_millesimes(small_referentiel: Path) -> None:
    rennes = Territory.objects.get(kind=Kind.COMMUNE, code="35238")
    assert rennes.population == 227830
    assert rennes.population_millesime == 2023
    assert rennes.epci is not None and rennes.epci.nom == "Rennes Métropole"
    load = ReferentielLoad.objects.get()
    assert (load.version, load.cog_year, load.population_millesime) == ("6.0.0", 2026, 2023)


def test_delegated_communes_hang_under_their_commune_and_are_not_collectivites(
    small_referentiel: Path,
) -> None:
    delegated = Territory.objects.get(kind=Kind.COMMUNE_DELEGUEE, code="35206")
    assert delegated.parent is not None and delegated.parent.nom == "Pacé"
    assert not Territory.objects.collectivites().filter(pk=delegated.pk).exists()


def test_special_statuses_are_recorded(small_referentiel: Path) -> None:
    assert "Corse" in Territory.objects.get(kind=Kind.DEPARTEMENT, code="2A").exercised_by
    assert Territory.objects.get(kind=Kind.COMMUNE, code="97502").zone == "com"


def test_reloading_is_idempotent_and_keeps_imported_facts(small_referentiel: Path) -> None:
    rennes = Territory.objects.get(kind=Kind.COMMUNE, code="35238")
    AgentCount.objects.create(territory=rennes, effectif=3000, annee=2024)
    Territory.objects.filter(pk=rennes.pk).update(agents=3000)
    Territory.objects.filter(kind=Kind.DEPARTEMENT, code="35").update(siren="223500018")
    record = load_referentiel(small_referentiel, cog_year=2026)
    assert (record.created, record.updated) == (0, 0)
    rennes.refresh_from_db()
    assert rennes.agents == 3000
    assert Territory.objects.get(kind=Kind.DEPARTEMENT, code="35").siren == "223500018"


def test_a_newer_version_updates_rows_retires_vanished_ones_and_keeps_references(
    small_referentiel: Path, tmp_path: Path
) -> None:
    newer = tmp_path / "ref"
    shutil.copytree(small_referentiel, newer)
    communes = json.loads((newer / "communes.json").read_text())
    for commune in communes:
        if commune["code"] == "35238":
            commune["population"] = 230000
            commune["nom"] = "Rennes"
    communes = [c for c in communes if c["code"] != "35002"]
    (newer / "communes.json").write_text(json.dumps(communes))
    rennes_id = Territory.objects.get(kind=Kind.COMMUNE, code="35238").pk
    AgentCount.objects.create(territory_id=rennes_id, effectif=3000)
    record = load_referentiel(newer, cog_year=2027)
    assert record.updated >= 1 and record.retired == 1
    rennes = Territory.objects.get(pk=rennes_id)
    assert (rennes.population, rennes.population_millesime) == (230000, 2024)
    assert rennes.agent_counts.count() == 1
    amanlis = Territory.objects.get(kind=Kind.COMMUNE, code="35002")
    assert amanlis.active is False
    assert not Territory.objects.collectivites().filter(pk=amanlis.pk).exists()


def test_a_missing_source_gets_a_french_message(db: None, tmp_path: Path) -> None:
    with pytest.raises(ReferentielError, match="introuvable"):
        load_referentiel(tmp_path / "absent")


def test_a_garbled_file_changes_nothing(small_referentiel: Path, tmp_path: Path) -> None:
    broken = tmp_path / "ref"
    shutil.copytree(small_referentiel, broken)
    (broken / "communes.json").write_text("{not json")
    before = Territory.objects.count()
    with pytest.raises(ReferentielError, match="illisible"):
        load_referentiel(broken, cog_year=2026)
    assert Territory.objects.count() == before


@pytest.mark.slow
def test_the_full_npm_referentiel_loads_and_targets_about_4600_collectivites(
    npm_referentiel: Path, db: None
) -> None:
    from odl.territories.targeting import build_criteria, compute_targets

    load_referentiel(npm_referentiel)
    assert Territory.objects.filter(kind=Kind.COMMUNE, active=True).count() > 34000
    result = compute_targets(build_criteria())
    assert 4000 < result.summary["total"] < 5500
    by_kind = {k["kind"]: k["count"] for k in result.summary["by_kind"]}
    assert by_kind["region"] == 17  # 18 régions minus Mayotte, whose Département exercises them
    saint_etienne = compute_targets(build_criteria(query="saint etienne", kinds=["commune"]))
    assert any(r["code"] == "42218" for r in saint_etienne.rows)
