"""« odl load_demo » adds a couple of labelled reuses and places around the demo ATD, once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from odl.animations.fiches import load_defaults
from odl.animations.models import Format
from odl.places.models import Place
from odl.reuses.models import Reuse


def test_load_demo_adds_labelled_reuses_and_places_once(
    small_referentiel: Path, settings: Any, tmp_path: Path
) -> None:
    load_defaults(Format)
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Réutilisations de démonstration : 2 créée(s)." in out.getvalue()
    assert "Lieux de démonstration : 3 créé(s)." in out.getvalue()
    call_command("load_demo", stdout=io.StringIO())
    assert Reuse.objects.filter(demo=True).count() == 2 and Place.objects.filter(demo=True).count() == 3
    board = Reuse.objects.get(title="[Démo] Tableau de bord des bus")
    assert board.event is not None and board.event.title == "[Démo] Hackathon des mobilités"
    page = Client().get("/collectivites/commune/35238/").content.decode()
    assert (
        "[Démo] Carte des points d&#x27;apport volontaire" in page
        and "[Démo] Infolab de la médiathèque" in page
    )
