"""What a visitor cannot exhaust through the validation doors: the body size, the file's shape, the
stored report, the disk (retention), and what the corrected copy lets a spreadsheet run."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.utils import timezone

from odl.core import exports
from odl.schemas.models import ValidationRun
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "var"


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def french_dates_file(tmp_path: Path, rows: int) -> Path:
    """Every row has its date in JJ/MM/AAAA: one type error and one safe correction per row."""
    data = []
    for i in range(rows):
        row = list(SUB_GOOD)
        row[2] = f"{i % 28 + 1:02d}/03/2024"
        data.append(row)
    return write_csv(tmp_path / "dates.csv", SUB_HEADER, data)


# --- 1. The body is refused from its Content-Length, before anything reads it ----------------------


@pytest.mark.parametrize(("url", "limit"), [("/validation/", "100 Mo"), ("/api/validate", "100 Mo")])
def test_an_oversized_upload_is_refused_before_csrf_or_the_form_parser_reads_it(
    url: str, limit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[bool] = []
    original = MultiPartParser.parse

    def spy(self: MultiPartParser) -> Any:
        parsed.append(True)
        return original(self)

    monkeypatch.setattr(MultiPartParser, "parse", spy)
    client = Client(enforce_csrf_checks=True)  # the CSRF middleware reads the form to find its token
    path = write_csv(tmp_path / "f.csv", SUB_HEADER, [SUB_GOOD])
    response = client.post(url, {"file": upload(path)}, CONTENT_LENGTH=str(500 * 1024 * 1024))
    assert response.status_code == 413
    text = response.content.decode()
    assert f"dépasse la limite de {limit}" in text and "odl validate" in text
    assert parsed == []
    assert not ValidationRun.objects.exists()


def test_other_urls_get_the_general_limit_in_french(settings: Any) -> None:
    settings.ODL_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    response = Client(enforce_csrf_checks=True).post(
        "/observatoire/moissonnage/editeurs/import/", {"x": "1"}, CONTENT_LENGTH=str(10 * 1024 * 1024)
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert '<html lang="fr">' in page and "dépasse la limite de 2 Mo" in page


def test_an_upload_within_the_limit_still_reaches_the_csrf_check() -> None:
    response = Client(enforce_csrf_checks=True).post("/validation/", {"schema": "auto"})
    assert response.status_code == 403


# --- 1. Stored reports are bounded; the changes are on disk ------------------------------------------


def test_a_stored_report_keeps_exact_counts_but_a_bounded_list(
    client: Client, tmp_path: Path, settings: Any
) -> None:
    settings.ODL_REPORT_MAX_ERRORS = 20
    settings.ODL_REPORT_MAX_CORRECTIONS = 15
    response = client.post(
        "/validation/", {"file": upload(french_dates_file(tmp_path, 300)), "schema": "subventions"}
    )
    assert response.status_code == 302
    run = ValidationRun.objects.get()
    report = run.report
    assert run.errors == 300 and report["resume"]["erreurs"] == 300
    assert report["resume"]["par_code"]["type-error"] == 300
    assert len(report["erreurs"]) == 20 and report["tronque"] is True
    [group] = [g for g in report["groupes"] if g["colonne"] == "dateConvention"]
    assert group["nombre"] == 300 and len(group["exemples"]) == 5
    assert len(report["corrections"]) == 15 and report["corrections_total"] == 300
    page = client.get(f"/validation/rapports/{run.pk}/").content.decode()
    assert "Corrections sûres (300)" in page
    download = client.get(f"/validation/rapports/{run.pk}/corrections.csv")
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "ligne;colonne;avant;après;correction"
    assert len(lines) == 301 and "01/03/2024;2024-03-01" in lines[1]


def test_the_migration_cuts_old_reports_and_keeps_their_counts() -> None:
    from importlib import import_module

    migration = import_module("odl.schemas.migrations.0002_bounded_reports")
    error = {"ligne": 2, "colonne": "a", "code": "type-error", "message": "m"}
    old = {
        "resume": {"erreurs": 5000},
        "erreurs": [error] * 5000,
        "tronque": False,
        "groupes": [{"nombre": 5000, "exemples": [error] * 40}],
        "corrections": [{"ligne": 2}] * 3000,
    }
    run = ValidationRun.objects.create(file_name="f.csv", schema_name="s", valid=False, report=old)
    small = ValidationRun.objects.create(
        file_name="g.csv", schema_name="s", valid=True, report={"erreurs": [], "corrections": []}
    )
    migration.bound_reports(apps, None)
    migration.bound_reports(apps, None)  # twice: nothing more changes
    run.refresh_from_db()
    assert len(run.report["erreurs"]) == 1000 and run.report["tronque"] is True
    assert run.report["resume"]["erreurs"] == 5000 and run.report["groupes"][0]["nombre"] == 5000
    assert len(run.report["groupes"][0]["exemples"]) == 5
    assert len(run.report["corrections"]) == 1000 and run.report["corrections_total"] == 3000
    small.refresh_from_db()
    assert small.report == {"erreurs": [], "corrections": []}


# --- 1. Retention ------------------------------------------------------------------------------------


def test_odl_purge_removes_expired_reports_and_their_files_and_is_idempotent(
    client: Client, tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ODL_VALIDATION_RETENTION_DAYS = 30
    for _ in range(2):
        client.post("/validation/", {"file": upload(french_dates_file(tmp_path, 3)), "schema": "subventions"})
    old, recent = ValidationRun.objects.order_by("created_at")
    ValidationRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    folder = Path(settings.DATA_DIR) / "validations"
    assert {p.name for p in folder.iterdir()} == {
        f"{old.pk}.csv",
        f"{old.pk}-corrections.csv",
        f"{recent.pk}.csv",
        f"{recent.pk}-corrections.csv",
    }
    stray = folder / "0000-crash.csv"  # left by a worker killed mid-validation
    stray.write_text("x")
    past = (timezone.now() - dt.timedelta(days=40)).timestamp()
    import os

    os.utime(stray, (past, past))
    call_command("purge")
    assert "1 rapport(s) de validation et 3 fichier(s) supprimé(s)." in capsys.readouterr().out
    assert list(ValidationRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert {p.name for p in folder.iterdir()} == {f"{recent.pk}.csv", f"{recent.pk}-corrections.csv"}
    assert client.get(f"/validation/rapports/{old.pk}/").status_code == 404
    call_command("purge")
    assert "0 rapport(s) de validation et 0 fichier(s) supprimé(s)." in capsys.readouterr().out
    call_command("purge", "--days", "0")
    assert not ValidationRun.objects.exists() and not any(folder.iterdir())


def test_odl_purge_refuses_an_absurd_retention_in_french() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="n'est pas un nombre de jours") as info:
        call_command("purge", "--days", "1e23")
    assert info.value.returncode == 2


# --- 3. Shapes -----------------------------------------------------------------------------------------


def test_a_file_of_100000_columns_is_refused_at_once_in_french(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    header = ",".join(f"c{i}" for i in range(100_000))
    path.write_text(header + "\n" + "," * 99_999 + "\n", encoding="utf-8")
    assert 0.5 * 1024 * 1024 < path.stat().st_size < 1024 * 1024
    page = client.post("/validation/", {"file": upload(path), "schema": "subventions"})
    assert page.status_code == 400
    assert "a 100\u202f000 colonnes : la limite est de 1\u202f000 colonnes" in page.content.decode()
    api = client.post("/api/validate", {"file": upload(path), "schema": "subventions"})
    assert api.status_code == 400 and "colonnes" in api.json()["detail"]
    assert not ValidationRun.objects.exists()


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("ODL_VALIDATE_MAX_LINE_BYTES", 1500, "la limite est de 1\u202f500 octets par ligne"),
        ("ODL_VALIDATE_MAX_CELL_CHARS", 1000, "colonne « objet », fait 2\u202f000 caractères"),
        ("ODL_VALIDATE_MAX_ROWS", 10, "a plus de 10 lignes"),
    ],
)
def test_lines_cells_and_rows_past_the_web_limits_are_refused_in_french(
    client: Client, tmp_path: Path, settings: Any, setting: str, value: int, expected: str
) -> None:
    setattr(settings, setting, value)
    rows = [list(SUB_GOOD) for _ in range(20)]
    rows[14][7] = "x" * 2000
    path = write_csv(tmp_path / "forme.csv", SUB_HEADER, rows)
    page = client.post("/validation/", {"file": upload(path), "schema": "subventions"})
    assert page.status_code == 400
    assert expected in page.content.decode()
    assert not ValidationRun.objects.exists()
    assert not any((Path(settings.DATA_DIR) / "validations").iterdir())


def test_the_cli_keeps_no_shape_limit(tmp_path: Path, settings: Any) -> None:
    settings.ODL_VALIDATE_MAX_ROWS = 1
    path = write_csv(tmp_path / "f.csv", SUB_HEADER, [list(SUB_GOOD) for _ in range(5)])
    out = io.StringIO()
    call_command("validate", str(path), "--schema", "subventions", "--no-referentiel", stdout=out)
    assert "5 lignes" in out.getvalue()


# --- 13. The corrected copy runs no formula --------------------------------------------------------


def test_the_corrected_copy_neutralises_formulas_even_after_trimming(client: Client, tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(4)]
    rows[0][7] = ' =HYPERLINK("http://exemple.invalid","clic")'
    rows[1][7] = "\uff1d1+1"  # full-width ＝
    rows[2][7] = "@SUM(A1)"
    rows[3][8] = "-12,5"  # a negative number stays a number
    rows[0][2] = "05/12/2016"
    client.post(
        "/validation/",
        {"file": upload(write_csv(tmp_path / "f.csv", SUB_HEADER, rows)), "schema": "subventions"},
    )
    run = ValidationRun.objects.get()
    fixed = b"".join(client.get(f"/validation/rapports/{run.pk}/corrige.csv").streaming_content)  # type: ignore[attr-defined]
    records = list(csv.reader(io.StringIO(fixed.decode("utf-8"))))
    objets = [r[7] for r in records[1:]]
    assert objets[0] == '\'=HYPERLINK("http://exemple.invalid","clic")'
    assert objets[1] == "'\uff1d1+1" and objets[2] == "'@SUM(A1)"
    assert records[4][8] == "-12.5"
    for record in records:
        for cell in record:
            assert not exports.starts_formula(cell) or cell == "-12.5", cell
    rules = {c["regle"] for c in run.report["corrections"]}
    assert "espaces en début ou fin retirés ; formule neutralisée (apostrophe ajoutée devant)" in rules


@pytest.mark.parametrize("value", ["\uff1dcmd", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "  =1+1"])
def test_exports_treat_full_width_signs_and_leading_spaces_like_a_formula(value: str) -> None:
    assert exports.neutralise(value) == "'" + value
    assert exports.to_csv(["a"], [[value]]).decode("utf-8-sig").splitlines()[1] == "'" + value


def test_the_api_report_is_the_stored_one_with_its_total(client: Client, tmp_path: Path) -> None:
    data = client.post(
        "/api/validate", {"file": upload(french_dates_file(tmp_path, 3)), "schema": "subventions"}
    ).json()
    assert data["corrections_total"] == 3
    assert json.loads(client.get(f"/validation/rapports/{data['id']}.json").content)["corrections_total"] == 3
