"""« odl load_demo » adds a few labelled demonstration events to the programme's demo ATD, once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from odl.animations import planning
from odl.animations.models import Event, Output
from odl.programme import demo


def test_load_demo_adds_labelled_events_once(
    small_referentiel: Path, fiches: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Animations de démonstration : 3 événement(s) créé(s)." in out.getvalue()
    events = Event.objects.filter(atd__slug=demo.DEMO_SLUG)
    assert events.count() == 3 and all(e.demo and e.title.startswith("[Démo]") for e in events)
    call_command("load_demo", stdout=io.StringIO())
    assert Event.objects.count() == 3 and Output.objects.count() == 4
    [row] = planning.survival(events, by="atd")
    assert (row.followed, row.alive, row.rate, row.datasets_opened) == (3, 2, 67, 1)
    page = Client().get(events.get(format__slug="cartopartie").get_public_url()).content.decode()
    assert "Événement de démonstration" in page
