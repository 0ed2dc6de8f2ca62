"""The validation page, the shareable report, the badge, the corrected copy, and POST /api/validate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from odl.schemas.models import ValidationRun
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv
from tests.schemas.test_cli import REPORT_SCHEMA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_data_dir(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "var"  # type: ignore[attr-defined]


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def broken_file(tmp_path: Path) -> Path:
    rows = [list(SUB_GOOD) for _ in range(3)]
    rows[0][2] = "05/12/2016"
    rows[1][9] = "Aide en nature"
    return write_csv(tmp_path / "mes subventions.csv", SUB_HEADER, rows, sep=";", encoding="latin-1")


def test_the_page_offers_a_file_field_and_every_schema(client: Client) -> None:
    page = client.get("/validation/").content.decode()
    assert '<label for="id_file">' in page and '<label for="id_schema">' in page
    assert "Délibérations (deliberations 2.1.5)" in page
    assert 'id="barre-progression"' in page


def test_uploading_a_file_gives_a_shareable_report_with_a_badge(client: Client, tmp_path: Path) -> None:
    response = client.post("/validation/", {"file": upload(broken_file(tmp_path)), "schema": "auto"})
    assert response.status_code == 302
    run = ValidationRun.objects.get()
    assert response["Location"] == f"/validation/rapports/{run.pk}/"
    assert (run.schema_name, run.valid, run.errors) == ("subventions", False, 2)
    page = client.get(response["Location"]).content.decode()
    assert "Fichier non valide" in page
    assert "La date « 05/12/2016 » doit s&#x27;écrire AAAA-MM-JJ, par exemple 2016-12-05." in page
    assert f"/validation/rapports/{run.pk}/" in page
    badge = client.get(f"/validation/rapports/{run.pk}/badge.svg")
    assert badge["Content-Type"].startswith("image/svg+xml")
    assert b"invalide (2 erreurs)" in badge.content and b"<title>" in badge.content
    report = json.loads(client.get(f"/validation/rapports/{run.pk}.json").content)
    jsonschema.validate(report, REPORT_SCHEMA)


def test_the_corrected_copy_and_its_list_of_changes_can_be_downloaded(client: Client, tmp_path: Path) -> None:
    client.post("/validation/", {"file": upload(broken_file(tmp_path)), "schema": "subventions"})
    run = ValidationRun.objects.get()
    fixed = b"".join(client.get(f"/validation/rapports/{run.pk}/corrige.csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert "2016-12-05" in fixed and "aide en nature" in fixed
    download = client.get(f"/validation/rapports/{run.pk}/corrections.csv")
    changes = b"".join(download.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "encodage converti en UTF-8" in changes
    assert "05/12/2016;2016-12-05" in changes


def test_a_500_mb_upload_is_refused_before_it_is_read(client: Client, tmp_path: Path) -> None:
    response = client.post(
        "/validation/",
        {"file": upload(broken_file(tmp_path)), "schema": "auto"},
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "dépasse la limite de 100 Mo" in response.content.decode()
    assert "odl validate" in response.content.decode()
    assert not ValidationRun.objects.exists()


def test_a_file_over_the_configured_limit_is_refused(
    client: Client, tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    settings.ODL_VALIDATE_MAX_UPLOAD_MB = 1  # type: ignore[attr-defined]
    rows = [list(SUB_GOOD) for _ in range(9000)]
    big = write_csv(tmp_path / "gros.csv", SUB_HEADER, rows)
    assert big.stat().st_size > 1024 * 1024 + 65536
    response = client.post("/api/validate", {"file": upload(big), "schema": "subventions"})
    assert response.status_code == 413
    assert "1 Mo" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "schema", "expected"),
    [
        (b"\x00\xff\x00garbage" * 100, "subventions", "octets binaires"),
        (b"a;b\n1;2\n", "subventionz", "Vouliez-vous dire : subventions"),
        (b"a;b\n1;2\n", "auto", "Aucun schéma ne correspond"),
    ],
)
def test_bad_uploads_get_a_french_message_not_a_500(
    client: Client, content: bytes, schema: str, expected: str
) -> None:
    page = client.post("/validation/", {"file": SimpleUploadedFile("f.csv", content), "schema": schema})
    assert page.status_code == 400
    assert expected in page.content.decode()
    api = client.post("/api/validate", {"file": SimpleUploadedFile("f.csv", content), "schema": schema})
    assert api.status_code == 400
    assert expected in api.json()["detail"]


def test_the_api_returns_the_same_report_as_the_page(client: Client, tmp_path: Path) -> None:
    response = client.post("/api/validate", {"file": upload(broken_file(tmp_path)), "schema": "subventions"})
    assert response.status_code == 200
    data = response.json()
    jsonschema.validate(data, REPORT_SCHEMA)
    run = ValidationRun.objects.get(pk=data["id"])
    stored = dict(run.report)
    assert {k: v for k, v in data.items() if k not in ("id", "url", "badge")} == stored
    assert data["url"].endswith(f"/validation/rapports/{run.pk}/")


def test_the_api_lists_the_schemas(client: Client) -> None:
    names = {s["nom"] for s in client.get("/api/schemas").json()}
    assert {"deliberations", "subventions", "irve-statique"} <= names
