"""Small files written by the tests themselves (no shared data needed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.schemas.corpus import DELIB_GOOD, DELIB_HEADER

SUB_HEADER = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
SUB_GOOD = [
    "Ville de Rennes",
    "21350238800019",
    "2024-03-12",
    "DEL-2024-12",
    "Association Bretonne",
    "44088714900019",
    "",
    "Fête de quartier",
    "1500.50",
    "aide en numéraire",
    "Versement unique",
    "2024-04-01",
    "",
    "non",
    "0.5",
    "",
]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], sep: str = ",", encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def subventions_rows() -> list[list[str]]:
    return [list(SUB_GOOD) for _ in range(5)]


@pytest.fixture
def subventions_file(tmp_path: Path, subventions_rows: list[list[str]]) -> Path:
    return write_csv(tmp_path / "subventions.csv", SUB_HEADER, subventions_rows)


@pytest.fixture
def deliberations_file(tmp_path: Path) -> Path:
    rows = [list(DELIB_GOOD) for _ in range(3)]
    for i, row in enumerate(rows):
        row[2] = f"DEL-{i}"
    return write_csv(tmp_path / "deliberations.csv", DELIB_HEADER, rows)
