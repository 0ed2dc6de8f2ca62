"""Private iCal feeds: one per ATD, one per user; parsed back with icalendar."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd, AtdMembership
from odl.programme import meetings
from odl.programme.models import CalendarFeed, Etd, Meeting
from odl.territories.models import Territory
from tests import personas


@pytest.fixture
def atd(atd_agent: Any) -> Atd:
    return Atd.objects.get(memberships__user=atd_agent)


def meeting(atd: Atd, days: int = 10, **fields: Any) -> Meeting:
    values = {"title": "Point mensuel", "duration_minutes": 90, "location": "", "agenda": ""}
    return meetings.schedule(
        atd,
        by=None,
        first=(timezone.now() + datetime.timedelta(days=days)).astimezone(meetings.PARIS).date(),
        time=datetime.time(10),
        fields=meetings.MeetingFields(**{**values, **fields}),
    )[0]


def events(client: Client, token: str) -> list[Any]:
    response = client.get(reverse("programme:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_the_atd_feed_carries_each_meeting_with_a_stable_uid_in_paris_time(atd: Atd) -> None:
    one = meeting(
        atd,
        location="https://visio.example.org/point",
        agenda="## Ordre du jour\n\n- **budget** & subventions",
    )
    token = meetings.atd_feed(atd).token
    [event] = events(Client(), token)
    assert str(event["UID"]) == f"reunion-{one.pk}@127.0.0.1"
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Paris"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert (start.hour, start.minute) == (10, 0)
    assert event.decoded("DTEND") - start == datetime.timedelta(minutes=90)
    assert str(event["SUMMARY"]) == "Point mensuel – ATD Ille-et-Vilaine"
    assert str(event["LOCATION"]) == "https://visio.example.org/point"
    assert str(event["DESCRIPTION"]) == "Ordre du jour\n\nbudget & subventions"
    assert int(event["SEQUENCE"]) == 0
    body = Client().get(reverse("programme:feed", args=[token])).content.decode()
    assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/Paris" in body
    assert [str(e["UID"]) for e in events(Client(), token)] == [str(event["UID"])]


def test_editing_a_meeting_raises_its_sequence_and_last_modified_in_the_feed(
    atd: Atd, atd_client: Client
) -> None:
    one = meeting(atd)
    token = meetings.atd_feed(atd).token
    [before] = events(Client(), token)
    Meeting.objects.filter(pk=one.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    day = timezone.localtime(one.starts_at, meetings.PARIS).date().isoformat()
    atd_client.post(
        reverse("programme:meeting_edit", args=[atd.slug, one.pk]),
        {"title": "Point mensuel", "day": day, "time": "11:00", "duration_minutes": "60"},
    )
    [after] = events(Client(), token)
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == 1
    assert after.decoded("LAST-MODIFIED") > timezone.now() - datetime.timedelta(minutes=5)
    assert after.decoded("DTSTART").hour == 11


def test_a_users_feed_holds_every_atd_they_belong_to_and_an_etd_agent_gets_its_atds(
    atd: Atd, atd_agent: Any, etd_agent: Any
) -> None:
    other = Atd.objects.create(name="ATD Côtes-d'Armor", slug="atd-22", kind="departement")
    third = Atd.objects.create(name="ATD Corse", slug="atd-2a", kind="departement")
    AtdMembership.objects.create(user=atd_agent, atd=other, role="animateur")
    mine, theirs, none = (
        meeting(atd, title="Ille"),
        meeting(other, title="Armor"),
        meeting(third, title="Corse"),
    )
    summaries = {
        str(e["SUMMARY"]).split(" – ")[0] for e in events(Client(), meetings.user_feed(atd_agent).token)
    }
    assert summaries == {"Ille", "Armor"}
    rennes = Territory.objects.get(kind="commune", code="35238")
    Etd.objects.create(atd=atd, territory=rennes)
    EtdAgent.objects.get_or_create(user=etd_agent, territory=rennes, atd=atd)
    uids = {str(e["UID"]) for e in events(Client(), meetings.user_feed(etd_agent).token)}
    assert uids == {f"reunion-{mine.pk}@127.0.0.1"}
    assert theirs.pk and none.pk


def test_renewing_a_feed_address_stops_the_old_one(atd: Atd, atd_agent: Any, atd_client: Client) -> None:
    meeting(atd)
    old_atd, old_user = meetings.atd_feed(atd).token, meetings.user_feed(atd_agent).token
    page = atd_client.get(reverse("programme:meetings", args=[atd.slug])).content.decode()
    assert f"/agenda/{old_atd}.ics" in page and f"/agenda/{old_user}.ics" in page
    for which in ("atd", "user"):
        response = atd_client.post(reverse("programme:feed_renew", args=[atd.slug]), {"feed": which})
        assert response.status_code == 302
    for old in (old_atd, old_user):
        assert Client().get(reverse("programme:feed", args=[old])).status_code == 404
    assert len(events(Client(), meetings.atd_feed(atd).token)) == 1
    assert CalendarFeed.objects.count() == 2


def test_another_atds_staff_cannot_renew_this_atds_feed(atd: Atd, small_referentiel: Any) -> None:
    token = meetings.atd_feed(atd).token
    stranger = personas.logged_in(personas.atd_agent("bruno", territory=("departement", "22")))
    response = stranger.post(reverse("programme:feed_renew", args=[atd.slug]), {"feed": "atd"})
    assert response.status_code == 403
    assert meetings.atd_feed(atd).token == token


def test_an_unknown_token_finds_no_calendar(db: None) -> None:
    assert Client().get(reverse("programme:feed", args=["pas-un-jeton"])).status_code == 404
