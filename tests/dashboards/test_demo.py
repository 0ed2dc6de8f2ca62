"""« odl load_demo » adds a public dashboard, labelled as a demonstration, on the publishing demo's dataset."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from odl.dashboards.demo import SLUG
from odl.dashboards.models import Dashboard


def test_load_demo_adds_a_labelled_dashboard_once(
    small_referentiel: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Tableau de bord de démonstration" in out.getvalue()
    call_command("load_demo", stdout=io.StringIO())
    board = Dashboard.objects.get(slug=SLUG)
    assert board.demo and board.public and board.charts.count() == 2
    page = Client().get(board.get_absolute_url()).content.decode()
    assert "Démonstration : les données sont fictives." in page
    assert "Club de football" in page and 'data-testid="chart-svg"' in page
