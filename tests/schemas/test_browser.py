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


def test_an_atd_drops_several_files_and_follows_a_large_one_to_its_report(
    live_server: Any, tmp_path: Path, settings: Any
) -> None:
    from odl.schemas import jobs

    settings.ODL_VALIDATE_ASYNC_BYTES = 2000
    small = write_csv(tmp_path / "petit.csv", SUB_HEADER, [list(SUB_GOOD)])
    bad = list(SUB_GOOD)
    bad[2] = "hier"
    large = write_csv(tmp_path / "gros.csv", SUB_HEADER, [list(SUB_GOOD)] * 30 + [bad])
    with chromium_page() as page:
        page.goto(f"{live_server.url}/validation/")
        page.get_by_label("Fichier à valider").set_input_files([str(small), str(large)])
        page.get_by_role("button", name="Valider", exact=True).click()
        page.wait_for_url("**/validation/lots/**")
        jobs.wait(timeout=120)
        # The page reloads itself (meta refresh) until the large file is done.
        page.get_by_role("link", name="Rapport de « gros.csv »").wait_for(timeout=60_000)
        assert page.get_by_role("link", name="Rapport de « petit.csv »").is_visible()
        assert page.get_by_text("Terminé : 1 valide, 1 non valide.").is_visible()
        assert axe_violations(page) == []
        page.get_by_role("link", name="Rapport de « gros.csv »").click()
        page.wait_for_url("**/validation/rapports/**")
        assert page.get_by_text("Fichier non valide").is_visible()
