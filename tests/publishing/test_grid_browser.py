"""In a real Chromium: an agent of Rennes opens the grid of a 5,000-row dataset, edits a cell with the
keyboard, pastes rows copied from a spreadsheet, sees the engine's error on a cell, fixes it and saves:
version 2, whose diff shows the edit. A 100,000-row paste is refused in French. axe checks the page."""

from __future__ import annotations

from typing import Any

import pytest

from odl.programme.models import Etd
from odl.publishing import services, versions
from odl.publishing.models import Dataset
from odl.schemas.registry import known
from tests import personas
from tests.browser import axe_violations, chromium_page
from tests.publishing.test_grid import FIELDS, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTE = """(text) => {
  const data = new DataTransfer();
  data.setData('text/plain', text);
  document.querySelector('#grid .tabulator-tableholder').dispatchEvent(
    new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""
SELECT = """([position, field]) => {
  const row = window.odlGrid.getRows()[position];
  return window.odlGrid.scrollToRow(row, 'center', false).then(() => {
    window.odlGrid.addRange(row.getCell(field), row.getCell(field));
  });
}"""


def _tsv(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in rows) + "\n"


def test_an_agent_edits_pastes_fixes_and_saves_a_5000_row_grid(
    live_server: Any, etd: Etd, etd_agent: Any
) -> None:
    dataset = Dataset.objects.create(
        etd=etd, schema_name="subventions", title="Subventions 2024", siret="21350238800019"
    )
    data = services.to_plain_csv(FIELDS, [row(n) for n in range(1, 5001)])
    versions.publish(dataset, data, known("subventions"), by=None, valid=True)
    base = live_server.url
    with chromium_page() as page:
        csp: list[str] = []
        page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{base}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("etienne")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")
        page.goto(f"{base}{dataset.space_url()}")
        page.get_by_test_id("grid-link").click()
        page.wait_for_selector("#grid[data-ready=grid]")
        assert page.get_by_test_id("grid-status").inner_text() == "5000 ligne(s) dans la grille."
        assert axe_violations(page) == []

        # The keyboard: the cell « objet » of row 2 selected, Enter opens it, Enter keeps the new text.
        objet = page.locator(".tabulator-row").nth(1).locator('.tabulator-cell[tabulator-field="objet"]')
        objet.click()
        page.keyboard.press("Enter")
        editor = objet.locator("input")
        editor.fill("Fête de la musique")
        page.keyboard.press("Enter")
        assert objet.inner_text() == "Fête de la musique"

        # Two rows pasted under the last one, one with an amount the engine refuses.
        page.get_by_role("button", name="Ajouter une ligne").click()
        page.evaluate(SELECT, [5000, "nomAttribuant"])
        page.evaluate(PASTE, _tsv([row(5001), row(5002, montant="beaucoup")]))
        assert "2 ligne(s) collée(s), dont 1 ajoutée(s)" in page.get_by_test_id("grid-status").inner_text()
        page.wait_for_selector("#grid[data-checked='1']", timeout=30_000)
        item = page.get_by_test_id("grid-errors").get_by_role("button")
        assert item.count() == 1 and item.inner_text().startswith(
            "Ligne 5002, colonne « Montant total de la subvention » : La valeur « beaucoup »"
        )
        assert page.locator(".tabulator-cell.grid-cell-error").count() == 1
        assert axe_violations(page) == []

        # The error's link leads to the cell; the amount is fixed there.
        item.click()
        assert page.get_by_test_id("grid-cell-message").inner_text().startswith("Ligne 5002")
        bad = page.locator(".tabulator-cell.grid-cell-error")
        page.keyboard.press("Enter")
        bad.locator("input").fill("1200")
        page.keyboard.press("Enter")
        page.wait_for_selector("#grid[data-checked='0']", timeout=30_000)
        assert page.get_by_test_id("grid-errors-summary").inner_text().startswith("Aucune erreur")

        # 100,000 rows pasted: refused in French, the grid unchanged.
        page.evaluate(SELECT, [0, "nomAttribuant"])
        page.evaluate(PASTE, _tsv([row(n) for n in range(100_000)]))
        alert = page.get_by_test_id("grid-alert").inner_text()
        assert alert.startswith("Collage refusé") and "importez-le comme fichier" in alert
        assert page.evaluate("window.odlGrid.getRows().length") == 5002

        page.get_by_role("button", name="Enregistrer et publier une nouvelle version").click()
        page.wait_for_url("**/versions/2/", timeout=60_000)
        assert page.get_by_test_id("diff-summary").inner_text() == (
            "2 lignes ajoutées, 0 supprimées, 1 modifiée."
        )
        assert page.get_by_test_id("diff-changed").get_by_text("Fête de la musique").is_visible()
        assert csp == []
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 2 and dataset.latest.rows == 5002
    assert dataset.latest.valid
