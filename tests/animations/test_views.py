"""The planner's pages: catalogue, planning from a fiche, checklist, follow-up, calendar, feed, exports."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from odl.animations.models import Event, FollowUp, Format, Output, OutputKind, Participant
from odl.atds.models import Atd

D = datetime.date


def test_the_catalogue_and_a_fiche_are_public(fiches: None) -> None:
    page = Client().get(reverse("animations:formats")).content.decode()
    assert "Cartopartie" in page and "Opération Libre" in page and "Infolab" in page
    fiche = Client().get(reverse("animations:format", args=["hackathon"])).content.decode()
    for heading in ("Objectifs", "Publics", "Nombre de participants", "Préparation", "Durée",
                    "Ce que cela produit", "Suivi", "Prérequis de maturité", "Retroplanning type"):  # fmt: skip
        assert heading in fiche
    assert "de 30 à 100" in fiche and "J-90" in fiche and "J+30" in fiche
    assert Client().get(reverse("animations:format", args=["inconnu"])).status_code == 404


@pytest.mark.django_db
def test_an_atd_plans_an_event_from_a_fiche_and_gets_its_checklist(
    atd: Atd, atd_client: Client, fiches: None
) -> None:
    new = reverse("animations:event_new", args=[atd.slug])
    form = atd_client.get(new + "?format=barcamp").content.decode()
    assert "Planifier : Barcamp" in form
    barcamp = Format.objects.get(slug="barcamp")
    response = atd_client.post(
        new + "?format=barcamp",
        {"format": barcamp.pk, "title": "Barcamp données", "starts_on": "2026-10-10", "ends_on": "2026-10-10",
         "place": "Rennes", "commune_code": "35238", "collect_schema": "equipements"},
    )  # fmt: skip
    event = Event.objects.get(title="Barcamp données")
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.tasks.count() == len(barcamp.retroplanning) and event.followups.count() == 3
    assert event.commune is not None and event.commune.code == "35238"
    page = atd_client.get(event.get_absolute_url()).content.decode()
    assert "Réserver le lieu et plusieurs salles" in page and "10/09/2026" in page  # J-30


@pytest.mark.django_db
def test_bad_dates_or_an_unknown_commune_get_french_messages(
    atd: Atd, atd_client: Client, fiches: None
) -> None:
    response = atd_client.post(
        reverse("animations:event_new", args=[atd.slug]),
        {"format": Format.objects.get(slug="barcamp").pk, "title": "X", "starts_on": "2026-10-10",
         "ends_on": "2026-10-01", "commune_code": "99999", "south": "48.2", "collect_schema": ""},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400 and not Event.objects.exists()
    assert "Le dernier jour précède le premier jour." in body
    assert "Aucune commune de code INSEE « 99999 »" in body
    assert "Donnez les quatre limites de la zone" in body


@pytest.mark.django_db
def test_the_checklist_is_ticked_with_a_plain_form(
    make_event: Callable[..., Event], atd_client: Client
) -> None:
    event = make_event("barcamp")
    first, second = list(event.tasks.all())[:2]
    response = atd_client.post(
        reverse("animations:checklist", args=[event.atd.slug, event.pk]),
        {"done": [str(first.pk)], f"owner-{second.pk}": ""},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done and not second.done and second.owner is None


@pytest.mark.django_db
def test_another_atds_event_is_refused(
    make_event: Callable[..., Event], other_atd_staff: Any, atd_client: Client, other_atd_client: Client
) -> None:
    mine = make_event("barcamp")
    theirs = make_event(
        "barcamp", atd=Atd.objects.get(memberships__user=other_atd_staff), title="Leur barcamp"
    )
    # Denise on Alice's ATD: refused by the policy.
    assert other_atd_client.get(reverse("animations:event", args=[mine.atd.slug, mine.pk])).status_code == 403
    # Alice names another ATD's event under her own ATD: not found, and nothing changes.
    task = theirs.tasks.first()
    assert task is not None
    url = reverse("animations:checklist", args=[mine.atd.slug, theirs.pk])
    assert atd_client.post(url, {"done": [str(task.pk)]}).status_code == 404
    task.refresh_from_db()
    assert not task.done


@pytest.mark.django_db
def test_a_participant_is_named_only_with_consent(
    make_event: Callable[..., Event], atd_client: Client
) -> None:
    event = make_event("barcamp")
    url = reverse("animations:participant_add", args=[event.atd.slug, event.pk])
    refused = atd_client.post(url, {"name": "Zoé Martin"}, follow=True).content.decode()
    assert "Sans le consentement de la personne" in refused and not Participant.objects.exists()
    atd_client.post(url, {"name": "Zoé Martin", "consent": "on"})
    assert list(event.participants.values_list("name", flat=True)) == ["Zoé Martin"]


@pytest.mark.django_db
def test_the_follow_up_is_answered_and_the_survival_rate_appears(
    make_event: Callable[..., Event], atd_client: Client
) -> None:
    event = make_event("hackathon", D(2026, 1, 10))
    alive = Output.objects.create(event=event, kind=OutputKind.PROTOTYPE, title="Appli vélo")
    dead = Output.objects.create(event=event, kind=OutputKind.PROJET, title="Chatbot")
    Output.objects.create(event=event, kind=OutputKind.JEU_OUVERT, title="Comptages vélo")
    url = reverse("animations:followup", args=[event.atd.slug, event.pk, 3])
    incomplete = atd_client.post(url, {f"fate-{alive.pk}": "vivant"})
    assert incomplete.status_code == 400 and "Chatbot" in incomplete.content.decode()
    assert FollowUp.objects.get(event=event, months=3).answered_at is None
    atd_client.post(url, {f"fate-{alive.pk}": "publie", f"fate-{dead.pk}": "abandonne"})
    assert FollowUp.objects.get(event=event, months=3).answered_at is not None
    results = Client().get(reverse("animations:results")).content.decode()
    assert 'data-testid="survival-hackathon">50 %' in results
    mine = atd_client.get(reverse("animations:events", args=[event.atd.slug])).content.decode()
    assert 'data-testid="atd-survival">50 %' in mine


@pytest.mark.django_db
def test_due_follow_ups_are_on_the_atds_to_do(make_event: Callable[..., Event], atd_client: Client) -> None:
    event = make_event("hackathon", D(2020, 1, 10), title="Vieux hackathon")
    page = atd_client.get(reverse("animations:events", args=[event.atd.slug])).content.decode()
    assert "Suivi à 1 mois de « Vieux hackathon »" in page and "Suivi à 6 mois de « Vieux hackathon »" in page


@pytest.mark.django_db
def test_the_month_view_and_list_show_multi_day_events(make_event: Callable[..., Event]) -> None:
    make_event("operation-libre", D(2026, 6, 29), D(2026, 7, 1), title="Opération Libre à Bruz")
    make_event("barcamp", D(2026, 7, 3), title="Barcamp de juillet")
    page = Client().get(reverse("animations:calendar") + "?mois=2026-06").content.decode()
    assert "Agenda des animations : juin 2026" in page
    assert page.count("Opération Libre à Bruz") == 4  # 29 and 30 June, 1 July in the grid, and the list
    assert "Barcamp de juillet" in page  # visible in the grid's last week, not in June's list
    listing = page.split("Liste du mois")[1]
    assert "Opération Libre à Bruz" in listing and "Barcamp de juillet" not in listing


def test_an_unreadable_month_gets_a_french_message(db: None) -> None:
    response = Client().get(reverse("animations:calendar") + "?mois=juin")
    assert response.status_code == 400 and "AAAA-MM" in response.content.decode()


@pytest.mark.django_db
def test_the_ical_feed_has_one_all_day_event_per_event(make_event: Callable[..., Event]) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    event = make_event("cartopartie", today, today + datetime.timedelta(days=1), place="Mairie")
    response = Client().get(reverse("animations:calendar_feed"))
    assert response["Content-Type"].startswith("text/calendar")
    [item] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert item.decoded("dtstart") == today and item.decoded("dtend") == today + datetime.timedelta(days=2)
    assert str(item["uid"]).startswith(f"animation-{event.pk}@") and str(item["location"]) == "Mairie"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_events_export_neutralises_formulas(
    make_event: Callable[..., Event], atd_client: Client, fmt: str
) -> None:
    event = make_event("barcamp", title='=HYPERLINK("http://x")')
    response = atd_client.get(reverse("animations:events_export", args=[event.atd.slug, fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        assert "'=HYPERLINK" in response.content.decode("utf-8-sig")
    else:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
        assert rows[1][0] == '\'=HYPERLINK("http://x")' and rows[1][1] == "Barcamp"
    assert (
        atd_client.get(reverse("animations:events_export", args=[event.atd.slug, "pdf"])).status_code == 404
    )


@pytest.mark.django_db
def test_a_demo_event_is_labelled_as_such(make_event: Callable[..., Event]) -> None:
    event = make_event("barcamp", title="Barcamp", demo=True)
    page = Client().get(event.get_public_url()).content.decode()
    assert "[Démo] Barcamp" in page and "Événement de démonstration" in page


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["calendar", "events"])
def test_the_calendar_and_the_event_list_cost_the_same_queries_for_3n_events(
    make_event: Callable[..., Event], atd_client: Client, url_name: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    atd = Atd.objects.get(memberships__user__username="alice")
    url = reverse(f"animations:{url_name}", args=[atd.slug] if url_name == "events" else [])
    query = "?mois=2026-03" if url_name == "calendar" else ""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert atd_client.get(url + query).status_code == 200
        return len(captured)

    for i in range(2):
        make_event("barcamp", D(2026, 3, 2 + i), title=f"Barcamp {i}")
    few = queries()
    for i in range(4):
        make_event("hackathon", D(2026, 3, 10 + i), title=f"Hackathon {i}")
    assert queries() == few
