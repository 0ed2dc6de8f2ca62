"""``validate_file``: one pass over the file for the header, the checks and the corrected copy, and a
typed result every door reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from odl.schemas import reading
from odl.schemas.models import ValidationRun
from odl.schemas.registry import known
from odl.schemas.service import validate_file
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every time a reader opens a CSV file, its path."""
    paths: list[Path] = []
    original = reading.CsvReader.__init__

    def counting(self: reading.CsvReader, path: Path, *args: Any) -> None:
        paths.append(path)
        original(self, path, *args)

    monkeypatch.setattr(reading.CsvReader, "__init__", counting)
    return paths


def broken(tmp_path: Path) -> Path:
    rows = [list(SUB_GOOD) for _ in range(3)]
    rows[0][2] = "05/12/2016"
    rows[1][9] = "Aide en nature"
    return write_csv(tmp_path / "f.csv", SUB_HEADER, rows, sep=";", encoding="latin-1")


def test_the_result_gives_counts_errors_and_corrections_without_reading_the_json(
    tmp_path: Path, opened: list[Path]
) -> None:
    fixed = tmp_path / "corrige.csv"
    result = validate_file(broken(tmp_path), known("subventions"), fix=fixed, referentiel=False)
    assert len(opened) == 1
    assert (result.valid, result.rows, result.errors, result.warnings) == (False, 3, 2, 0)
    assert result.counts == {"constraint-error": 1, "type-error": 1}
    assert [(e["ligne"], e["code"]) for e in result.details] == [(2, "type-error"), (3, "constraint-error")]
    assert result.corrections_total == len(result.corrections) == 4
    assert (2, "dateConvention", "05/12/2016", "2016-12-05") in {
        (c["ligne"], c["colonne"], c["avant"], c["apres"]) for c in result.corrections
    }
    assert result.as_dict()["corrections"] == result.corrections
    assert "2016-12-05" in fixed.read_text(encoding="utf-8")
    assert validate_file(fixed, known("subventions"), referentiel=False).valid


def test_the_schema_can_be_chosen_from_the_header_in_the_same_pass(
    tmp_path: Path, opened: list[Path]
) -> None:
    seen: list[list[str]] = []

    def choose(header: list[str]) -> Any:
        seen.append(header)
        return known("subventions")

    result = validate_file(broken(tmp_path), choose, referentiel=False)
    assert seen == [SUB_HEADER] and len(opened) == 1
    assert result.schema.name == "subventions" and result.corrections == []


@pytest.mark.django_db
def test_the_web_page_reads_an_upload_once_for_guessing_validating_and_fixing(
    client: Client, tmp_path: Path, opened: list[Path]
) -> None:
    path = broken(tmp_path)
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    assert client.post("/validation/", {"file": upload, "schema": "auto"}).status_code == 302
    assert len(opened) == 1
    run = ValidationRun.objects.get()
    assert run.fixed_file and Path(run.fixed_file).exists()
    assert (run.valid, run.rows, run.errors) == (False, 3, 2)
