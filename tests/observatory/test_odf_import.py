"""Importing OpenDataFrance's organisations table as the first snapshots of the history."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from odl.observatory.management.commands.import_observatoire import Command
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.observatory.odf_import import ImportError_, clean_siren, import_edition, region_code
from tests.zipbombs import workbook_bomb

ORGANISATIONS = "observatoire/ODF-Observatoire-organisations-221019.csv"


def _table_counts(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    """The table's own counts, read independently of the importer."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return (
        len(rows),
        Counter(r["type"] for r in rows),
        Counter(r["regcode"].strip() or "(vide)" for r in rows),
    )


@pytest.fixture
def odf_file(shared_data: Path) -> Path:
    return shared_data / ORGANISATIONS


def test_the_snapshot_has_as_many_organisations_of_each_type_as_the_table(small_referentiel, odf_file):
    total, by_type, _ = _table_counts(odf_file)
    report = import_edition(odf_file, 2021)
    snapshot = report.snapshot
    assert snapshot.entries.count() == total == 891
    stored = Counter(snapshot.entries.values_list("organisation_type", flat=True))
    assert stored == by_type
    # The figures published with the table (SOURCES.md of the data): 713 collectivités.
    assert by_type["COM"] == 454 and by_type["CA"] == 101 and by_type["DEP"] == 61
    assert sum(by_type[t] for t in ("COM", "CC", "CA", "CU", "EPT", "MET", "DEP", "REG")) == 713


def test_the_snapshot_has_as_many_organisations_in_each_region_as_the_table(small_referentiel, odf_file):
    _, _, by_region = _table_counts(odf_file)
    report = import_edition(odf_file, 2021)
    assert report.by_region == by_region
    assert report.by_region["BRE-53"] == 81
    bretagne = SnapshotEntry.objects.filter(snapshot=report.snapshot, region_code="53").count()
    assert bretagne == by_region["BRE-53"]


def test_sirens_with_a_trailing_space_or_an_invisible_mark_are_cleaned(small_referentiel, odf_file):
    import_edition(odf_file, 2021)
    assert SnapshotEntry.objects.filter(siren="254002272", nom="ADACL Landes").exists()
    assert SnapshotEntry.objects.filter(siren="187609110").exists()
    assert clean_siren("\u200e187609110") == "187609110"


def test_collectivites_are_matched_by_siren_and_the_others_are_reported(small_referentiel, odf_file):
    report = import_edition(odf_file, 2021)
    acigne = SnapshotEntry.objects.get(snapshot=report.snapshot, siren="213500010")
    assert acigne.territory is not None and acigne.territory.code == "35001"
    assert acigne.match_method == "siren"
    assert acigne.technologies == ["Opendatasoft"]
    assert acigne.datasets_count == 4
    # The SIREN of départements is shipped with the référentiel's own data (odl/territories/sirens.py).
    ille = SnapshotEntry.objects.get(snapshot=report.snapshot, organisation_type="DEP", departement_code="35")
    assert ille.territory is not None and ille.match_method == "siren"
    unmatched = {row["siren"] for row in report.unmatched_collectivites}
    assert "200012508" in unmatched  # Nouméa is not in the small référentiel
    assert report.matched + len(report.unmatched_collectivites) + report.outside_referentiel == 891
    assert report.snapshot.report["matched"] == report.matched


def test_reimporting_an_edition_replaces_it_instead_of_duplicating(small_referentiel, odf_file):
    import_edition(odf_file, 2021)
    report = import_edition(odf_file, 2021)
    assert report.replaced
    assert Snapshot.objects.filter(origin="odf", edition=2021).count() == 1
    assert SnapshotEntry.objects.count() == 891


def test_a_file_that_is_not_the_organisations_table_is_refused_in_french(small_referentiel, tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("code;libelle\n1;a\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="colonne\\(s\\) absente\\(s\\) : siren"):
        import_edition(path, 2021)
    assert not Snapshot.objects.exists()


def test_the_command_reports_counts_and_fails_cleanly_on_bad_input(
    small_referentiel, odf_file, tmp_path, capsys
):
    command = Command()
    report = command.handle_one(str(odf_file), 2021, "2021-10-19")
    assert report.snapshot.date.isoformat() == "2021-10-19"
    with pytest.raises(CommandError, match="Date « 19/10/2021 » invalide") as info:
        command.handle_one(str(odf_file), 2021, "19/10/2021")
    assert info.value.returncode == 2
    with pytest.raises(CommandError, match="introuvable"):
        command.handle_one(str(tmp_path / "absent.csv"), 2021)
    assert Snapshot.objects.count() == 1


def test_region_codes_are_read_from_odf_codes():
    assert region_code("BRE-53") == "53"
    assert region_code("GP-01") == "01"
    assert region_code("NC") == "" and region_code("") == ""


def test_the_command_prints_counts_by_type_and_the_unmatched(small_referentiel, odf_file, capsys):
    from django.core.management import call_command

    call_command("import_observatoire", str(odf_file), "--edition", "2021", "--show-unmatched")
    out = capsys.readouterr().out
    assert "891 organisations" in out
    assert "COM    454  Commune" in out
    assert "non rapprochée" in out and "NOUMEA" in out


def test_a_zip_bomb_sent_to_import_observatoire_is_refused_before_decompression(small_referentiel, tmp_path):
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(workbook_bomb())
    with pytest.raises(CommandError, match="bombe de décompression") as info:
        Command().handle_one(str(path), 2021)
    assert info.value.returncode == 2
    assert not Snapshot.objects.exists()
    assert not SnapshotEntry.objects.exists()
