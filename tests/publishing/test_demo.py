"""« odl load_demo » publishes a labelled dataset, in two versions, for the demo ATD's collectivité, once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from odl.publishing.demo import TITLE, siret_of
from odl.publishing.models import Dataset


def test_load_demo_publishes_a_valid_dataset_once(
    small_referentiel: Path, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert f"Jeu publié de démonstration : « {TITLE} »" in out.getvalue()
    call_command("load_demo", stdout=io.StringIO())
    dataset = Dataset.objects.get()
    assert dataset.latest is not None and dataset.latest.number == 2 and dataset.latest.valid
    assert (dataset.latest.diff["added"], dataset.latest.diff["changed"]) == (1, 1)
    page = Client().get(dataset.get_absolute_url()).content.decode()
    assert TITLE in page and "Club de football" in page


def test_the_demo_siret_has_a_valid_checksum() -> None:
    from odl.core.identifiers import is_valid_siret

    assert is_valid_siret(siret_of("213502388"))
