"""The planner and the questionnaire on the ATD's own pages: its dashboard shows the follow-ups to answer
and the open campaigns, its sub-menu links to both, and the main menu leads every team member there."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from odl.animations.models import Event
from odl.atds.models import Atd, AtdMembership, AtdRole
from odl.culture.models import Campaign
from tests import personas


def test_the_dashboard_lists_the_follow_ups_due_and_the_next_events(
    atd: Atd, atd_agent: Any, make_event: Callable[..., Event]
) -> None:
    today = timezone.localdate()
    past = make_event(title="Hackathon du printemps", starts=today - datetime.timedelta(days=100))
    make_event(slug="cartopartie", title="Cartopartie des bancs", starts=today + datetime.timedelta(days=10))
    make_event(title="Trop loin", starts=today + datetime.timedelta(days=200))
    html = personas.logged_in(atd_agent).get(f"/suivi/{atd.slug}/tableau-de-bord/").content.decode()
    assert "Animations : suivis à renseigner" in html
    # 100 days after the event: the 1-month follow-up is due, the 3-month one (~90 days) too.
    for months in (1, 3):
        assert f'href="/suivi/{atd.slug}/animations/{past.pk}/suivi/{months}/"' in html
    assert "suivi à 6 mois" not in html
    assert "Cartopartie des bancs" in html and "Trop loin" not in html


def test_an_answered_follow_up_leaves_the_dashboard(
    atd: Atd, atd_agent: Any, make_event: Callable[..., Event]
) -> None:
    past = make_event(starts=timezone.localdate() - datetime.timedelta(days=40))
    past.followups.filter(months=1).update(answered_at=timezone.now())
    html = personas.logged_in(atd_agent).get(f"/suivi/{atd.slug}/tableau-de-bord/").content.decode()
    assert "Aucun suivi d'animation à renseigner." in html


def test_the_dashboard_lists_the_open_campaigns_with_their_answers(atd: Atd, atd_agent: Any) -> None:
    today = timezone.localdate()
    Campaign.objects.create(atd=atd, title="Positionnement 2026", closes_on=today)
    Campaign.objects.create(atd=atd, title="Campagne close", closes_on=today - datetime.timedelta(days=1))
    html = personas.logged_in(atd_agent).get(f"/suivi/{atd.slug}/tableau-de-bord/").content.decode()
    assert "Positionnement 2026</a> : 0 réponse, clôture le" in html
    assert "Campagne close" not in html


def test_the_atd_sub_menu_and_the_main_menu_lead_an_animateur_to_the_questionnaire_and_the_planner(
    atd: Atd,
) -> None:
    animateur = get_user_model().objects.create_user("anna")
    AtdMembership.objects.create(user=animateur, atd=atd, role=AtdRole.ANIMATEUR)
    client = personas.logged_in(animateur)
    board = client.get(f"/suivi/{atd.slug}/").content.decode()
    assert f'<a href="/culture/{atd.slug}/">Questionnaire de culture de la donnée</a>' in board
    assert f'<a href="/suivi/{atd.slug}/animations/">Animations</a>' in board
    assert f'<a href="/suivi/{atd.slug}/datagouv/">data.gouv.fr</a>' in board
    home = client.get("/").content.decode()
    assert f'<a href="/suivi/{atd.slug}/">Mon ATD</a>' in home
    formats = client.get("/animations/formats/").content.decode()
    assert f'href="/suivi/{atd.slug}/animations/">Les animations de mon ATD' in formats
