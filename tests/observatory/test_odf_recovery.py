"""Collectivités whose SIREN changed since the edition are found again by their name and kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from odl.observatory.models import SnapshotEntry
from odl.observatory.odf_import import TYPE_KINDS, import_edition
from odl.territories.loader import load_referentiel
from odl.territories.models import Territory

pytestmark = pytest.mark.django_db

HEADER = "siren,nom,type,regcode,nb-ptf,nb-datagouv,Département\n"


def _table(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "organisations.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_commune_with_a_former_siren_is_found_by_its_name_in_its_departement(
    small_referentiel: Path, tmp_path: Path
) -> None:
    path = _table(
        tmp_path,
        "213599999,BRUZ,COM,BRE-53,3,,35",  # a SIREN the référentiel does not know
        "212299999,BETTON,COM,BRE-53,1,,22",  # Betton is in 35, not in 22: not taken
        "213599998,PACE LE VIEUX,COM,BRE-53,2,,35",  # now a commune déléguée of Pacé
        "213599997,RENNES,COM,BRE-53,2,,35",  # Rennes is in the table under its SIREN already
        "213502388,RENNES,COM,BRE-53,5,,35",
        "243599999,RENNES METROPOLE,MET,BRE-53,4,,35",  # « Rennes Métropole », SIREN changed
    )
    report = import_edition(path, 2021)
    assert report.matched == 4
    recovered = {row["nom"]: row["territoire"] for row in report.recovered}
    assert recovered == {
        "BRUZ": "Bruz (commune 35047)",
        "PACE LE VIEUX": "Pacé (commune 35206)",
        "RENNES METROPOLE": "Rennes Métropole (epci 243500139)",
    }
    reasons = {row["nom"] + " " + row["siren"]: row["raison"] for row in report.unmatched_collectivites}
    assert "aucune collectivité de ce nom" in reasons["BETTON 212299999"]
    assert "figure déjà dans la table" in reasons["RENNES 213599997"]
    bruz = SnapshotEntry.objects.get(snapshot=report.snapshot, siren="213599999")
    assert (bruz.territory.code, bruz.match_method) == ("35047", "nom")


def test_the_command_lists_the_recovered_and_the_rest(
    small_referentiel: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _table(tmp_path, "213599999,BRUZ,COM,BRE-53,3,,35", "212299999,BETTON,COM,BRE-53,1,,22")
    call_command("import_observatoire", str(path), "--edition", "2021", "--show-unmatched")
    out = capsys.readouterr().out
    assert "dont 1 retrouvées par leur nom" in out
    assert "retrouvée ligne 2 : 213599999 BRUZ (COM) → Bruz (commune 35047), SIREN actuel 213500473" in out
    assert "non rapprochée ligne 3 : 212299999 BETTON (COM) — SIREN inconnu du référentiel" in out


@pytest.mark.slow
def test_the_2021_edition_matches_at_least_705_of_its_713_collectivites(
    npm_referentiel: Path, shared_data: Path
) -> None:
    load_referentiel(npm_referentiel)
    report = import_edition(shared_data / "observatoire/ODF-Observatoire-organisations-221019.csv", 2021)
    collectivites = sum(count for code, count in report.by_type.items() if code in TYPE_KINDS)
    matched = SnapshotEntry.objects.filter(
        snapshot=report.snapshot, organisation_type__in=list(TYPE_KINDS), territory__isnull=False
    ).count()
    assert collectivites == 713
    assert matched >= 705
    assert matched + len(report.unmatched_collectivites) == collectivites
    recovered = {row["nom"]: row["territoire"] for row in report.recovered}
    # A commune nouvelle, a commune that became déléguée, an EPCI that changed its SIREN.
    assert recovered["SAINT GERMAIN EN LAYE"] == "Saint-Germain-en-Laye (commune 78551)"
    assert recovered["CHEMERE"] == "Chaumes-en-Retz (commune 44005)"
    assert recovered["METROPOLE EUROPEENNE DE LILLE"].endswith("(epci 200093201)")
    # Each territory is counted once: no recovered collectivité stands beside its new SIREN.
    territories = list(
        SnapshotEntry.objects.filter(snapshot=report.snapshot, organisation_type__in=["COM", "CA", "CC"])
        .exclude(territory=None)
        .values_list("territory_id", flat=True)
    )
    assert len(territories) == len(set(territories))
    rest = {row["nom"] for row in report.unmatched_collectivites}
    assert "CA HAVRAISE" in rest  # merged into the CU Le Havre Seine Métropole: another name
    assert all(row["raison"] for row in report.unmatched_collectivites)
    assert Territory.objects.get(kind="region", code="94").siren == "200076958"
