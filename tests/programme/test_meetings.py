"""Monthly meetings: recurrence, sanitised Markdown, attendance and its rate, and the ATD's boundary."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd
from odl.programme import meetings
from odl.programme.models import Attendance, Etd, Meeting
from odl.territories.models import Territory
from tests import personas

PARIS = meetings.PARIS


@pytest.fixture
def atd(atd_agent: Any) -> Atd:
    return Atd.objects.get(memberships__user=atd_agent)


@pytest.fixture
def rennes(atd: Atd, atd_agent: Any) -> Etd:
    return Etd.objects.create(atd=atd, territory=Territory.objects.get(kind="commune", code="35238"))


@pytest.fixture
def other_atd_client(small_referentiel: Any) -> Client:
    return personas.logged_in(personas.atd_agent("bruno", territory=("departement", "22")))


def fields(**overrides: Any) -> meetings.MeetingFields:
    values = {"title": "Point mensuel", "duration_minutes": 60, "location": "", "agenda": ""}
    return meetings.MeetingFields(**{**values, **overrides})


def schedule_at(atd: Atd, when: datetime.datetime, **overrides: Any) -> Meeting:
    local = when.astimezone(PARIS)
    return meetings.schedule(atd, by=None, first=local.date(), time=local.time(), fields=fields(**overrides))[
        0
    ]


def test_a_series_on_the_second_tuesday_stays_on_the_second_tuesday_of_each_month() -> None:
    dates = meetings.occurrences(datetime.date(2026, 1, 13), meetings.Repeat.SAME_WEEKDAY, 12)
    assert len(dates) == 12
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 for d in dates)
    assert [d.month for d in dates] == list(range(1, 13))


def test_a_fifth_weekday_becomes_the_last_one_of_shorter_months() -> None:
    dates = meetings.occurrences(datetime.date(2026, 3, 31), meetings.Repeat.SAME_WEEKDAY, 2)
    assert dates == [datetime.date(2026, 3, 31), datetime.date(2026, 4, 28)]


def test_the_same_day_each_month_falls_back_to_the_last_day_of_a_shorter_month() -> None:
    dates = meetings.occurrences(datetime.date(2026, 1, 31), meetings.Repeat.SAME_DAY, 3)
    assert dates == [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)]


def test_atd_staff_schedule_twelve_meetings_sharing_one_series_at_ten_paris_time(
    atd: Atd, atd_client: Client
) -> None:
    response = atd_client.post(
        reverse("programme:meetings", args=[atd.slug]),
        {
            "title": "Point mensuel",
            "day": "2027-01-12",
            "time": "10:00",
            "duration_minutes": "60",
            "location": "https://visio.example.org/atd35",
            "agenda": "- tour de table",
            "repeat": meetings.Repeat.SAME_WEEKDAY,
            "count": "12",
        },
    )
    assert response.status_code == 302
    stored = list(Meeting.objects.filter(atd=atd))
    assert len(stored) == 12
    assert len({m.series for m in stored}) == 1 and stored[0].series
    assert all(timezone.localtime(m.starts_at, PARIS).hour == 10 for m in stored)
    page = atd_client.get(reverse("programme:meetings", args=[atd.slug]))
    assert page.status_code == 200
    assert "Prochaines réunions" in page.content.decode()


def test_a_series_longer_than_three_years_is_refused_with_a_french_message(
    atd: Atd, atd_client: Client
) -> None:
    response = atd_client.post(
        reverse("programme:meetings", args=[atd.slug]),
        {"title": "Point", "day": "2027-01-12", "time": "10:00", "duration_minutes": "60",
         "repeat": meetings.Repeat.SAME_DAY, "count": "100"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "inférieure ou égale à 36" in response.content.decode()
    assert not Meeting.objects.exists()


def test_editing_the_rest_of_a_series_changes_the_following_meetings_only(
    atd: Atd, atd_client: Client
) -> None:
    series = meetings.schedule(
        atd, by=None, first=datetime.date(2027, 1, 12), time=datetime.time(10), fields=fields(),
        repeat=meetings.Repeat.SAME_WEEKDAY, count=4,
    )  # fmt: skip
    third = series[2]
    response = atd_client.post(
        reverse("programme:meeting_edit", args=[atd.slug, third.pk]),
        {"title": "Point mensuel (nouvel horaire)", "day": "2027-03-09", "time": "14:30",
         "duration_minutes": "90", "location": "Salle 2", "agenda": "", "whole_series": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    after = list(Meeting.objects.filter(series=third.series).order_by("starts_at"))
    assert [m.title for m in after[:2]] == ["Point mensuel", "Point mensuel"]
    assert [m.sequence for m in after] == [0, 0, 1, 1]
    assert all(m.title == "Point mensuel (nouvel horaire)" and m.duration_minutes == 90 for m in after[2:])
    local = [timezone.localtime(m.starts_at, PARIS) for m in after[2:]]
    assert [(d.date(), d.hour, d.minute) for d in local] == [
        (datetime.date(2027, 3, 9), 14, 30),
        (datetime.date(2027, 4, 13), 14, 30),
    ]


def test_editing_one_meeting_of_a_series_leaves_the_others_alone(atd: Atd, atd_client: Client) -> None:
    first, second = meetings.schedule(
        atd, by=None, first=datetime.date(2027, 1, 12), time=datetime.time(10), fields=fields(),
        repeat=meetings.Repeat.SAME_WEEKDAY, count=2,
    )  # fmt: skip
    atd_client.post(
        reverse("programme:meeting_edit", args=[atd.slug, first.pk]),
        {"title": "Spécial", "day": "2027-01-14", "time": "09:00", "duration_minutes": "60"},
    )
    second.refresh_from_db()
    assert second.title == "Point mensuel"
    assert Meeting.objects.get(pk=first.pk).title == "Spécial"


def test_minutes_with_script_event_handlers_and_javascript_links_never_reach_the_page(
    atd: Atd, atd_client: Client
) -> None:
    meeting = schedule_at(atd, timezone.now() - datetime.timedelta(days=1))
    hostile = (
        "## Compte rendu\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[cliquez](javascript:alert(2)) et [le guide](https://example.org/guide)\n\n"
        '<a href="javascript:alert(3)" onclick="alert(4)">ici</a>'
    )
    atd_client.post(reverse("programme:meeting_minutes", args=[atd.slug, meeting.pk]), {"minutes": hostile})
    meeting.refresh_from_db()
    assert meeting.minutes == hostile  # stored as typed; cleaned at display
    rendered = str(meetings.render_markdown(hostile))
    assert "<script" not in rendered and "onerror" not in rendered and "onclick" not in rendered
    assert "javascript:" not in rendered
    assert '<a href="https://example.org/guide"' in rendered
    assert "<h2>Compte rendu</h2>" in rendered
    page = atd_client.get(meeting.get_absolute_url()).content.decode()
    markdown_blocks = page.split('<div class="markdown">')[1:]
    assert markdown_blocks
    for block in markdown_blocks:
        shown = block.split("</div>")[0]
        assert "<script" not in shown and "onerror" not in shown and "javascript:" not in shown


def test_a_meeting_of_another_atd_cannot_be_seen_edited_marked_or_deleted(
    atd: Atd, rennes: Etd, other_atd_client: Client
) -> None:
    meeting = schedule_at(atd, timezone.now() + datetime.timedelta(days=3), title="Réservé")
    other = Atd.objects.exclude(pk=atd.pk).get()
    for name, payload in [
        ("meeting", None),
        ("meeting_edit", {"title": "Piraté", "day": "2027-01-01", "time": "10:00", "duration_minutes": "60"}),
        ("meeting_minutes", {"minutes": "piraté"}),
        ("meeting_attendance", {f"etd-{rennes.pk}": "absent"}),
        ("meeting_delete", {}),
    ]:
        # Through its own ATD's address, the other ATD's meeting is not found…
        url = reverse(f"programme:{name}", args=[other.slug, meeting.pk])
        response = other_atd_client.get(url) if payload is None else other_atd_client.post(url, payload)
        assert response.status_code == 404, name
        # …and through the meeting's ATD address, the page is refused.
        url = reverse(f"programme:{name}", args=[atd.slug, meeting.pk])
        response = other_atd_client.get(url) if payload is None else other_atd_client.post(url, payload)
        assert response.status_code == 403, name
    meeting.refresh_from_db()
    assert meeting.title == "Réservé" and meeting.minutes == ""
    assert not Attendance.objects.exists()


def test_the_meetings_page_is_for_the_atd_team_only(atd: Atd, etd_agent: Any, rennes: Etd) -> None:
    EtdAgent.objects.get_or_create(user=etd_agent, territory=rennes.territory, atd=atd)
    url = reverse("programme:meetings", args=[atd.slug])
    assert personas.citizen().get(url).status_code == 302
    assert personas.logged_in(etd_agent).get(url).status_code == 403


def test_attendance_rate_counts_presence_among_the_meetings_held_since_the_etd_joined(
    atd: Atd, rennes: Etd, atd_client: Client
) -> None:
    now = timezone.now()
    before_joining = schedule_at(atd, now - datetime.timedelta(days=90))
    Etd.objects.filter(pk=rennes.pk).update(created_at=now - datetime.timedelta(days=70))
    rennes.refresh_from_db()
    held = [schedule_at(atd, now - datetime.timedelta(days=d)) for d in (60, 30, 2)]
    upcoming = schedule_at(atd, now + datetime.timedelta(days=20))
    Attendance.objects.create(meeting=before_joining, etd=rennes, status="present")
    for meeting, status in zip(held, ["present", "excuse", "present"], strict=True):
        response = atd_client.post(
            reverse("programme:meeting_attendance", args=[atd.slug, meeting.pk]), {f"etd-{rennes.pk}": status}
        )
        assert response.status_code == 302
    Attendance.objects.create(meeting=upcoming, etd=rennes, status="excuse")
    [rate] = meetings.attendance_rates([rennes])
    assert (rate.held, rate.present, rate.excused, rate.absent, rate.rate) == (3, 2, 1, 0, 67)
    page = atd_client.get(reverse("programme:meetings", args=[atd.slug])).content.decode()
    assert "67 %" in page
    csv = atd_client.get(reverse("programme:meetings_attendance_export", args=[atd.slug, "csv"]))
    assert "Rennes;35238;3;2;1;0;67" in csv.content.decode("utf-8-sig")
    for fmt in ("xlsx", "ods"):
        exported = atd_client.get(reverse("programme:meetings_attendance_export", args=[atd.slug, fmt]))
        assert exported.status_code == 200 and exported.content.startswith(b"PK")


def test_attendance_for_an_etd_of_another_atd_is_ignored(atd: Atd, rennes: Etd, atd_client: Client) -> None:
    other = Atd.objects.create(name="ATD Côtes-d'Armor", slug="atd-22", kind="departement")
    stranger = Etd.objects.create(atd=other, territory=Territory.objects.get(kind="commune", code="22278"))
    meeting = schedule_at(atd, timezone.now() - datetime.timedelta(days=1))
    atd_client.post(
        reverse("programme:meeting_attendance", args=[atd.slug, meeting.pk]),
        {f"etd-{stranger.pk}": "present", f"etd-{rennes.pk}": "absent"},
    )
    assert list(Attendance.objects.values_list("etd_id", "status")) == [(rennes.pk, "absent")]


def test_deleting_the_rest_of_a_series_keeps_the_earlier_meetings(atd: Atd, atd_client: Client) -> None:
    series = meetings.schedule(
        atd, by=None, first=datetime.date(2027, 1, 12), time=datetime.time(10), fields=fields(),
        repeat=meetings.Repeat.SAME_WEEKDAY, count=5,
    )  # fmt: skip
    atd_client.post(reverse("programme:meeting_delete", args=[atd.slug, series[3].pk]), {"scope": "series"})
    assert list(Meeting.objects.values_list("pk", flat=True)) == [m.pk for m in series[:3]]


def test_the_etd_page_include_shows_its_past_meetings_status_rate_and_next_meetings(
    atd: Atd, rennes: Etd
) -> None:
    now = timezone.now()
    # Joined three days ago: a meeting two hours ago is after it, even just past midnight in Paris.
    Etd.objects.filter(pk=rennes.pk).update(created_at=now - datetime.timedelta(days=3))
    rennes.refresh_from_db()
    past = schedule_at(atd, now - datetime.timedelta(hours=2), title="Point de décembre")
    schedule_at(atd, now + datetime.timedelta(days=30), title="Point de janvier")
    Attendance.objects.create(meeting=past, etd=rennes, status="excuse")
    html = render_to_string("programme/etd/_meetings.html", {"etd": rennes})
    assert "Point de décembre" in html and "Excusé" in html
    assert "Point de janvier" in html
    assert "<strong>0 %</strong>" in html and "sur 1 réunion tenue" in html
