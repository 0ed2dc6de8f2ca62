"""Gaps found when auditing the programme against its issue, each closed with its test."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from odl.programme.models import Commitment, CommitmentKind, EtdStep, Meeting
from tests import personas
from tests.programme.conventions_helpers import publish, rennes_etd

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def override(client: Client, commitment: Commitment, status: str = "tenu") -> Any:
    url = reverse("programme:commitment", args=[commitment.etd.atd.slug, commitment.etd_id, commitment.pk])
    return client.post(
        url, {"action": "status", "status": status, "note": "publié sur le site de la commune"}
    )


def test_a_publish_commitment_marked_tenu_by_hand_moves_the_etd_to_publiee(
    atd_agent: Any, atd_client: Client
) -> None:
    etd = rennes_etd(step=EtdStep.CONVENTION_SIGNEE)
    first, second = publish(etd, "scdl/subventions"), publish(etd, "scdl/deliberations")
    response = override(atd_client, first)
    assert response.status_code == 302
    etd.refresh_from_db()
    assert etd.step == EtdStep.PUBLIEE
    change = etd.history.first()
    assert change is not None and change.by == atd_agent and "fixé à la main" in change.note
    # Only the first one moves it: a second met commitment adds no step change.
    changes = etd.history.count()
    override(atd_client, second)
    assert etd.history.count() == changes


def test_another_kind_or_an_etd_further_along_is_not_moved(atd_agent: Any, atd_client: Client) -> None:
    etd = rennes_etd(step=EtdStep.CONTACTEE)
    experience = Commitment.objects.create(etd=etd, kind=CommitmentKind.EXPERIENCE)
    override(atd_client, experience)
    etd.refresh_from_db()
    assert etd.step == EtdStep.CONTACTEE
    etd.move_to(EtdStep.AUTONOME, by=atd_agent)
    override(atd_client, publish(etd))
    etd.refresh_from_db()
    assert etd.step == EtdStep.AUTONOME


def test_scheduling_a_meeting_in_another_atds_name_is_refused_in_french_and_stores_nothing(
    atd_agent: Any, small_referentiel: Path
) -> None:
    other = personas.atd_agent("bruno", territory=("departement", "22"))
    slug = rennes_etd().atd.slug  # the ATD of Ille-et-Vilaine, not Bruno's
    day = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = personas.logged_in(other).post(
        reverse("programme:meetings", args=[slug]),
        {
            "title": "Point",
            "day": day,
            "time": "10:00",
            "duration_minutes": "60",
            "repeat": "none",
            "count": "1",
        },
    )
    assert response.status_code == 403
    assert "réservée à l'équipe de l'ATD « ATD Ille-et-Vilaine »" in text_of(response)
    assert not Meeting.objects.exists()


def test_minutes_with_a_script_say_in_french_what_the_page_will_not_show(
    atd_agent: Any, atd_client: Client
) -> None:
    from odl.programme.meetings import removed_markup

    etd = rennes_etd()
    meeting = Meeting.objects.create(atd=etd.atd, title="Point", starts_at=timezone.now())
    url = reverse("programme:meeting_minutes", args=[etd.atd.slug, meeting.pk])
    hostile = "Bilan\n\n<script>alert('x')</script>\n\n[ici](javascript:alert(2)) <b onclick='x()'>gras</b>"
    response = atd_client.post(url, {"minutes": hostile}, follow=True)
    page = text_of(response)
    assert (
        "Dans le compte rendu, l'attribut « onclick », la balise <script>, les liens « javascript: »" in page
    )
    assert "ne s'affiche pas" in page and "Compte rendu enregistré." in page
    meeting.refresh_from_db()
    assert meeting.minutes == hostile  # kept as typed; only the display is cleaned
    # Ordinary Markdown (lists, links, an aligned table) raises no warning.
    assert (
        removed_markup("- a\n- [b](https://a.b) [c](mailto:a@b.fr)\n\n| a | b |\n|---|:-:|\n| 1 | 2 |") == []
    )
    clean = atd_client.post(url, {"minutes": "- point 1\n- **point 2**"}, follow=True)
    assert "ne s'affiche pas" not in text_of(clean)


def test_minutes_over_the_limit_are_refused_whole_and_the_stored_ones_kept(
    atd_agent: Any, atd_client: Client
) -> None:
    etd = rennes_etd()
    meeting = Meeting.objects.create(atd=etd.atd, title="Point", starts_at=timezone.now(), minutes="Déjà là")
    url = reverse("programme:meeting_minutes", args=[etd.atd.slug, meeting.pk])
    response = atd_client.post(url, {"minutes": "x" * 100_001}, follow=True)
    assert "Compte rendu non enregistré : 100 001 caractères" in text_of(response)
    meeting.refresh_from_db()
    assert meeting.minutes == "Déjà là"
