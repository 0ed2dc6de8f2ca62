import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from odl.territories.models import Kind, Territory
from tests.zipbombs import workbook_bomb

pytestmark = pytest.mark.usefixtures("small_referentiel")

HEADER = "kind,code,siren,nom,population,millesime,departement,region,epci_siren,obligation,raison"


def test_targets_prints_csv_with_the_documented_columns(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    call_command("targets", "--region", "53", "--format", "csv")
    lines = capsysbinary.readouterr().out.decode().splitlines()
    assert lines[0] == HEADER
    assert (
        "commune,35001,213500010,Acigné,3512,2023,35,53,243500139,a_confirmer,3 512 hab. > 3 500 ; effectif non renseigné"
        in lines
    )
    assert (
        "departement,35,223500018,Ille-et-Vilaine,279076,2023,35,53,,oui,département : toujours concerné"
        in lines
    )


def test_targets_json_and_all(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    call_command("targets", "--departement", "35", "--kind", "commune", "--all", "--format", "json")
    rows = json.loads(capsysbinary.readouterr().out)
    assert {r["code"]: r["obligation"] for r in rows}["35002"] == "non"


def test_targets_population_band_and_union(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    call_command(
        "targets", "--departement", "22", "--epci", "243500139", "--kind", "commune",
        "--min-population", "10000", "--max-population", "80000", "--format", "json",
    )  # fmt: skip
    rows = json.loads(capsysbinary.readouterr().out)
    assert {r["nom"] for r in rows} == {"Bruz", "Pacé", "Betton", "Saint-Brieuc"}


def test_targets_writes_xlsx_and_ods_files(tmp_path: Path) -> None:
    for fmt in ("xlsx", "ods"):
        out = tmp_path / f"cibles.{fmt}"
        call_command("targets", "--region", "53", "--format", fmt, "--output", str(out))
        sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        assert ",".join(sheet[0]) == HEADER and len(sheet) == 13


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "99"], "Région inconnu(e) : 99"),
        (["--departement", "36"], "Département inconnu(e) : 36"),
        (["--epci", "243500138"], "clé de contrôle invalide"),
        (["--min-population", "trois mille"], "n'est pas un nombre entier"),
        (["--format", "xlsx"], "indiquez un fichier avec --output"),
    ],
)
def test_targets_refuses_bad_input_with_exit_code_2(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("targets", *args)
    assert message in str(raised.value)
    assert raised.value.returncode == 2


def test_the_odl_console_script_runs_without_environment(tmp_path: Path) -> None:
    odl = Path(sys.executable).parent / "odl"
    result = subprocess.run(
        [str(odl), "help", "targets"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--min-population" in result.stdout


def test_import_agents_from_a_latin1_semicolon_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "effectifs.csv"
    path.write_bytes(
        "siren;code INSEE;Effectif;Année;Source\n"
        "213500010;;62;2024;Bilan social\n"
        ";35047;48,0;2024;Bilan social\n"
        "213500011;;70;2024;erreur de clé\n"
        ";99999;70;2024;commune inconnue\n"
        "213502388;;beaucoup;2024;pas un nombre\n".encode("latin-1")
    )
    call_command("import_agents", str(path))
    out = capsys.readouterr().out
    assert "ligne 2 : importée" in out and "ligne 3 : importée" in out
    assert "ligne 4 : ignorée — le SIREN « 213500011 » a une clé de contrôle invalide" in out
    assert "ligne 5 : ignorée — code INSEE 99999 absent du référentiel" in out
    assert "ligne 6 : ignorée — effectif « beaucoup » n'est pas un nombre" in out
    assert "2 ligne(s) importée(s), 3 ignorée(s)" in out
    acigne = Territory.objects.get(kind=Kind.COMMUNE, code="35001")
    assert (acigne.agents, acigne.agents_year, acigne.agents_source) == (62, 2024, "Bilan social")
    assert Territory.objects.get(kind=Kind.COMMUNE, code="35047").agents == 48


def test_importing_agents_changes_the_obligation(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "effectifs.csv"
    path.write_text("code_insee,effectif\n35001,62\n35047,12\n", encoding="utf-8")
    call_command("import_agents", str(path))
    capsysbinary.readouterr()
    call_command("targets", "--departement", "35", "--kind", "commune", "--all", "--format", "json")
    rows = {r["code"]: r for r in json.loads(capsysbinary.readouterr().out)}
    assert rows["35001"]["obligation"] == "oui"
    assert rows["35001"]["raison"] == "3 512 hab. > 3 500 ; 62 agents ≥ 50"
    assert rows["35047"]["obligation"] == "non"


def test_import_agents_reads_the_first_filled_sheet_of_an_xlsx_with_extra_sheets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import xlsxwriter

    path = tmp_path / "effectifs.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Vide")
    sheet = workbook.add_worksheet("Effectifs")
    sheet.write_row(0, 0, ["siren", "effectif", "annee"])
    sheet.write_row(1, 0, ["213500010", 75, 2023])
    workbook.add_worksheet("Notes").write(0, 0, "remarques")
    workbook.close()
    call_command("import_agents", str(path))
    out = capsys.readouterr().out
    assert "feuille « Vide » vide, ignorée" in out
    assert "autres feuilles ignorées" in out
    assert Territory.objects.get(kind=Kind.COMMUNE, code="35001").agents == 75


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide"),
        (b"siren;effectif\n", "ne contient que l'en-t"),
        (b"commune;nombre\n213500010;12\n", "Colonnes manquantes"),
        (b"%PDF-1.4\x00\x00\x01binary", "binaires"),
    ],
)
def test_an_unusable_agents_file_changes_nothing(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "effectifs.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as raised:
        call_command("import_agents", str(path))
    assert raised.value.returncode == 2
    assert not Territory.objects.exclude(agents=None).exists()


def test_a_truncated_xlsx_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "effectifs.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    with pytest.raises(CommandError, match="tronqué ou endommagé"):
        call_command("import_agents", str(path))


def test_import_sirens_for_departements_and_regions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sirens.csv"
    path.write_text(
        "niveau;code;siren\ndepartement;35;223500018\nregion;BRE-53;235300019\ndépartement;36;223600016\nregion;53;123\n",
        encoding="utf-8",
    )
    call_command("import_sirens", str(path))
    out = capsys.readouterr().out
    assert "ligne 4 : ignorée — departement de code « 36 » absent du référentiel" in out
    assert "ligne 5 : ignorée — le SIREN « 123 » doit compter 9 chiffres" in out
    assert Territory.objects.get(kind=Kind.DEPARTEMENT, code="35").siren == "223500018"
    assert Territory.objects.get(kind=Kind.REGION, code="53").siren == "235300019"


def test_load_territories_reports_what_it_did(
    small_referentiel: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_territories", "--source", str(small_referentiel), "--no-progress")
    out = capsys.readouterr().out
    assert "COG 2026" in out and "millésime 2023" in out and "0 créées" in out


def test_load_territories_with_a_missing_source_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="introuvable") as raised:
        call_command("load_territories", "--source", str(tmp_path / "nope"), "--no-progress")
    assert raised.value.returncode == 2


@pytest.mark.parametrize("command", ["import_agents", "import_sirens"])
def test_a_zip_bomb_sent_to_an_import_is_refused_before_decompression(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(workbook_bomb())
    assert path.stat().st_size < 64 * 1024
    before = list(Territory.objects.order_by("pk").values_list("siren", "agents"))
    with pytest.raises(CommandError, match="bombe de décompression") as raised:
        call_command(command, str(path))
    assert raised.value.returncode == 2
    assert "se décompresse en 16 Mo" in str(raised.value)
    assert list(Territory.objects.order_by("pk").values_list("siren", "agents")) == before
