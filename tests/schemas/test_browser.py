"""A secretary validates her file in a real Chromium: schema suggested, progress shown, report, badge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import axe_violations, chromium_page
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_data_dir(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "var"  # type: ignore[attr-defined]


def test_a_secretary_drops_her_file_and_reads_a_plain_french_report(live_server: Any, tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(3)]
    rows[1][2] = "12/03/2024"
    path = write_csv(tmp_path / "subventions 2024.csv", SUB_HEADER, rows, sep=";", encoding="cp1252")
    with chromium_page() as page:
        page.goto(f"{live_server.url}/validation/")
        assert axe_violations(page) == []
        page.get_by_label("Fichier à valider").set_input_files(str(path))
        page.get_by_text("Schéma proposé d'après l'en-tête : Subventions").wait_for()
        assert page.get_by_label("Schéma").input_value() == "subventions"
        page.get_by_role("button", name="Valider", exact=True).click()
        page.wait_for_url("**/validation/rapports/**")
        assert page.get_by_text("Fichier non valide").is_visible()
        assert page.get_by_text(
            "La date « 12/03/2024 » doit s'écrire AAAA-MM-JJ, par exemple 2024-03-12."
        ).is_visible()
        assert page.get_by_role("img", name="Badge : invalide").is_visible()
        assert page.get_by_role("link", name="Télécharger la copie corrigée (CSV UTF-8)").is_visible()
        assert axe_violations(page) == []
