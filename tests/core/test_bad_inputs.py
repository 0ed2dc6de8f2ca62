"""The bad inputs a probe found that still gave a 500 or a traceback: each now gets a French message,
and one bad row never aborts the rows around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from odl.observatory.management.commands.import_observatoire import Command as ImportObservatoire
from odl.observatory.models import Snapshot, SnapshotEntry
from odl.territories.models import Kind, Territory

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/observatoire/jeux?source={HUGE}",
        f"/api/observatoire/editeurs?source={HUGE}",
        f"/api/atds?page={HUGE}",
        f"/api/targets?min_population={HUGE}",
        f"/api/territories?page={HUGE}",
    ],
)
def test_huge_integers_in_api_filters_get_a_client_error_not_a_500(small_referentiel: Path, url: str) -> None:
    response = Client(raise_request_exception=False).get(url)
    assert 400 <= response.status_code < 500, response.content
    assert "detail" in response.json()


def test_targets_output_to_a_missing_folder_is_a_french_error(
    small_referentiel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "absent" / "cibles.csv"
    with pytest.raises(CommandError, match="Le dossier .* n'existe pas") as info:
        call_command("targets", "--region", "53", "--format", "csv", "--output", str(target))
    assert info.value.returncode == 2
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("targets", "--region", "53", "--format", "table", "--output", str(target))


def test_a_nan_effectif_skips_its_row_and_the_others_are_imported(
    small_referentiel: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "effectifs.csv"
    path.write_text(
        "siren;effectif;annee;source\n"
        "213500010;62;2024;Bilan social\n"
        "213502388;NaN;2024;Bilan social\n"
        "213500473;inf;2024;Bilan social\n"
        "213502065;40;²⁰²⁴;Bilan social\n"
        f"213502065;40;2024;{'x' * 201}\n",
        encoding="utf-8",
    )
    call_command("import_agents", str(path))
    out = capsys.readouterr().out
    assert "ligne 3 : ignorée — effectif « NaN » n'est pas un nombre" in out
    assert "ligne 4 : ignorée — effectif « inf » n'est pas un nombre" in out
    assert "ligne 5 : ignorée — année « ²⁰²⁴ » invalide" in out
    assert "ligne 6 : ignorée — source de 201 caractères : 200 au plus" in out
    assert "1 ligne(s) importée(s), 4 ignorée(s)" in out
    assert Territory.objects.get(kind=Kind.COMMUNE, siren="213500010").agents == 62


@pytest.mark.parametrize("value", ["1e23", "-3", "beaucoup", HUGE + "0" * 30])
def test_max_errors_that_is_not_a_count_gets_a_french_message(tmp_path: Path, value: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--max-errors : .* n'est pas un nombre entier positif") as info:
        call_command("validate", str(path), "--schema", "subventions", "--max-errors", value)
    assert info.value.returncode == 2


def test_a_huge_max_errors_means_all_of_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command(
            "validate", str(path), "--schema", "subventions", "--no-referentiel", "--max-errors", HUGE
        )
    assert "NON VALIDE" in capsys.readouterr().out


ODF_HEADER = "siren;nom;type;regcode;nb-ptf;nb-datagouv;pop-insee\n"


def test_huge_counts_in_an_observatory_table_reject_their_row_only(
    small_referentiel: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odf.csv"
    path.write_text(
        ODF_HEADER + f"213500010;Acigné;COM;BRE-53;{HUGE};1;3512\n213502388;Rennes;COM;BRE-53;12;30;220000\n",
        encoding="utf-8",
    )
    call_command("import_observatoire", str(path), "--edition", "2021")
    err = capsys.readouterr().err
    assert (
        "Ligne 2 ignorée (Acigné) : nb-ptf : « 9999999999999999999999… »" in err
        or "Ligne 2 ignorée (Acigné) : nb-ptf" in err
    )
    assert list(SnapshotEntry.objects.values_list("siren", "datasets_count")) == [("213502388", 30)]


def test_an_observatory_label_too_long_is_refused_on_sqlite_as_on_postgresql(
    small_referentiel: Path, tmp_path: Path
) -> None:
    path = tmp_path / "odf.csv"
    path.write_text(ODF_HEADER + "213502388;Rennes;COM;BRE-53;12;30;220000\n", encoding="utf-8")
    with pytest.raises(CommandError, match="« libellé » fait 250 caractères : 200 au plus") as info:
        ImportObservatoire().handle_one(str(path), 2021, None, "x" * 250)
    assert info.value.returncode == 2
    assert not Snapshot.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_absurd_snapshot_dates_are_refused(small_referentiel: Path, tmp_path: Path, day: str) -> None:
    with pytest.raises(CommandError, match=f"Date « {day} » refusée") as info:
        call_command("snapshot", "--date", day)
    assert info.value.returncode == 2
    path = tmp_path / "odf.csv"
    path.write_text(ODF_HEADER + "213502388;Rennes;COM;BRE-53;12;30;220000\n", encoding="utf-8")
    with pytest.raises(CommandError, match="refusée"):
        ImportObservatoire().handle_one(str(path), 2021, day)
    assert not Snapshot.objects.exists()


def test_a_huge_source_id_in_a_mapping_file_is_one_line_in_error(
    small_referentiel: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "corr.csv"
    path.write_text(
        f"source_id;editeur_id;statut;collectivite_type;collectivite_code\n{HUGE};x;accepted;commune;35047\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        call_command("import_mapping", str(path))
    assert info.value.returncode == 1
    assert f"ligne 2 : éditeur « x » de la source {HUGE} inconnu" in capsys.readouterr().err


@pytest.mark.django_db
def test_an_address_with_a_nul_character_gets_a_french_400_on_every_database(client: Client) -> None:
    # PostgreSQL refuses NUL in any text it compares: the API fuzzing found a 500 there.
    api = client.get("/api/observatoire/indicateurs?departement=%00")
    assert api.status_code == 400
    assert api.json() == {"detail": "L'adresse contient un caractère nul (%00) : retirez-le et réessayez."}
    page = client.get("/recherche/?q=a%00b")
    assert page.status_code == 400 and "caractère nul" in page.content.decode()
