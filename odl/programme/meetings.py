"""The monthly meetings of an ATD: recurrence, sanitised Markdown, attendance rates and iCal feeds.

- :func:`occurrences` computes a monthly recurrence ("every 2nd Tuesday", "the same day each month");
  :func:`schedule` stores each occurrence as a :class:`Meeting` sharing one ``series`` id, so that one
  meeting, or it and the rest of its series, can be edited later (:func:`update`);
- :func:`render_markdown` turns agendas and minutes into HTML that nh3 has cleaned: whatever a member
  types, no script, event handler or ``javascript:`` link reaches a page;
- :func:`attendance_rates` gives each active ETD its rate: present / meetings held since it joined;
- :func:`calendar` writes the private iCal feed of some ATDs' meetings.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime
import html
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import markdown
import nh3
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd
from odl.programme.models import Attendance, AttendanceStatus, CalendarFeed, Etd, Meeting, new_feed_token

PARIS = ZoneInfo("Europe/Paris")
MAX_OCCURRENCES = 36


class Repeat:
    NONE = "none"
    SAME_DAY = "same_day"
    SAME_WEEKDAY = "same_weekday"

    CHOICES = (
        (NONE, "Une seule réunion"),
        (SAME_WEEKDAY, "Chaque mois, le même jour de la semaine (par exemple le 2e mardi)"),
        (SAME_DAY, "Chaque mois, à la même date (par exemple le 15)"),
    )


class MeetingProblem(ValueError):
    """A meeting that cannot be scheduled as asked; the message is in French, for the user."""


# --- Recurrence --------------------------------------------------------------------------------------------


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime.date:
    """The ``nth`` (1–4) given weekday of a month, or its last one when ``nth`` is 5."""
    last = month_calendar.monthrange(year, month)[1]
    matching = [day for day in range(1, last + 1) if datetime.date(year, month, day).weekday() == weekday]
    return datetime.date(year, month, matching[-1] if nth >= 5 else matching[nth - 1])


def occurrences(first: datetime.date, repeat: str, count: int) -> list[datetime.date]:
    """The dates of a monthly recurrence starting on ``first``.

    ``same_weekday`` keeps the rank of the weekday in the month (the 2nd Tuesday stays the 2nd
    Tuesday; a 5th one becomes the last of each month); ``same_day`` keeps the day of the month, or the
    month's last day when it is shorter (the 31st becomes the 30th in April).
    """
    if repeat == Repeat.NONE:
        return [first]
    if repeat not in (Repeat.SAME_DAY, Repeat.SAME_WEEKDAY):
        raise MeetingProblem(f"Récurrence inconnue : « {repeat} ».")
    if not 1 <= count <= MAX_OCCURRENCES:
        raise MeetingProblem(f"Le nombre de réunions doit être compris entre 1 et {MAX_OCCURRENCES}.")
    nth = (first.day - 1) // 7 + 1
    dates = []
    for step in range(count):
        year, month = _add_months(first.year, first.month, step)
        if repeat == Repeat.SAME_WEEKDAY:
            dates.append(_nth_weekday(year, month, first.weekday(), nth))
        else:
            last = month_calendar.monthrange(year, month)[1]
            dates.append(datetime.date(year, month, min(first.day, last)))
    return dates


def at_paris_time(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=PARIS)


@dataclass
class MeetingFields:
    title: str
    duration_minutes: int
    location: str
    agenda: str


def schedule(
    atd: Atd,
    *,
    by: Any,
    first: datetime.date,
    time: datetime.time,
    fields: MeetingFields,
    repeat: str = Repeat.NONE,
    count: int = 1,
) -> list[Meeting]:
    """Store one meeting, or each occurrence of a recurrence under one ``series`` id."""
    dates = occurrences(first, repeat, count)
    series = uuid.uuid4().hex if len(dates) > 1 else ""
    meetings = [
        Meeting(
            atd=atd,
            starts_at=at_paris_time(day, time),
            series=series,
            created_by=by,
            title=fields.title,
            duration_minutes=fields.duration_minutes,
            location=fields.location,
            agenda=fields.agenda,
        )
        for day in dates
    ]
    with transaction.atomic():
        return Meeting.objects.bulk_create(meetings)


def update(
    meeting: Meeting, fields: MeetingFields, *, day: datetime.date, time: datetime.time, whole_series: bool
) -> int:
    """Edit one meeting, or it and the following ones of its series; returns how many changed.

    For the rest of a series, each meeting keeps its own date and takes the new time of day; only the
    meeting being edited moves to ``day``. Minutes stay with each meeting.
    """
    targets = list(Meeting.objects.rest_of_series(meeting)) if whole_series else [meeting]
    with transaction.atomic():
        for target in targets:
            target_day = (
                day if target.pk == meeting.pk else timezone.localtime(target.starts_at, PARIS).date()
            )
            target.starts_at = at_paris_time(target_day, time)
            target.title = fields.title
            target.duration_minutes = fields.duration_minutes
            target.location = fields.location
            target.agenda = fields.agenda
            target.sequence += 1
            target.save()
    return len(targets)


def save_minutes(meeting: Meeting, minutes: str) -> None:
    meeting.minutes = minutes
    meeting.sequence += 1
    meeting.save(update_fields=["minutes", "sequence", "updated_at"])


def location_link(location: str) -> str:
    """The location when it is a web address (a visio link), to show as a link; ``""`` otherwise."""
    return location if location.startswith(("https://", "http://")) and " " not in location else ""


# --- Markdown --------------------------------------------------------------------------------------------

# What Markdown produces for agendas and minutes, and nothing else: no script, style, iframe or form.
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, cleaned by nh3 (only ``http``, ``https`` and ``mailto`` links survive)."""
    raw = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # nh3 has just removed everything unsafe.
    return mark_safe(clean)


class _MarkupAudit(HTMLParser):
    """Collects what ``render_markdown`` will drop, to tell the author in words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.found.add(f"la balise <{tag}>")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name == "style" and tag in ("th", "td"):
                continue  # Markdown's own column alignment: dropped, but nothing the author typed.
            if name not in allowed:
                self.found.add(f"l'attribut « {name} »")
            elif name == "href" and value:
                scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    self.found.add(f"les liens « {scheme.group(1).lower()}: »")


SAFE_SCHEMES = {"http", "https", "mailto"}
MAX_TEXT = 100_000


def removed_markup(text: str) -> list[str]:
    """What the display will remove from this Markdown (script, other tags, event handlers, unsafe
    links), in French; empty when everything typed will show."""
    audit = _MarkupAudit()
    audit.feed(markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html"))
    audit.close()
    return sorted(audit.found)


def plain_text(text: str) -> str:
    """The Markdown as plain text (iCal descriptions): every tag dropped, entities decoded."""
    raw = markdown.markdown(text or "", extensions=["sane_lists"])
    return html.unescape(nh3.clean(raw, tags=set())).strip()


# --- Attendance --------------------------------------------------------------------------------------------


def record_attendance(meeting: Meeting, statuses: dict[int, str]) -> int:
    """Store the status of each ETD of the meeting's ATD; ``""`` clears it. Other ids are ignored."""
    etds = set(meeting.atd.etds.active().values_list("pk", flat=True))
    changed = 0
    with transaction.atomic():
        for etd_id, status in statuses.items():
            if etd_id not in etds:
                continue
            if status in AttendanceStatus.values:
                Attendance.objects.update_or_create(
                    meeting=meeting, etd_id=etd_id, defaults={"status": status}
                )
                changed += 1
            elif status == "":
                changed += Attendance.objects.filter(meeting=meeting, etd_id=etd_id).delete()[0]
    return changed


@dataclass
class AttendanceRate:
    etd: Etd
    held: int
    present: int
    excused: int
    absent: int

    @property
    def rate(self) -> int | None:
        """Percentage present among the meetings held since the ETD joined; None before any."""
        return round(100 * self.present / self.held) if self.held else None


def attendance_rates(etds: Iterable[Etd], now: datetime.datetime | None = None) -> list[AttendanceRate]:
    """One row per ETD, counting only the meetings held since it joined; two queries in all."""
    now = now or timezone.now()
    etds = list(etds)
    if not etds:
        return []
    held = list(
        Meeting.objects.filter(atd__in={etd.atd_id for etd in etds}, starts_at__lt=now).values_list(
            "atd_id", "starts_at"
        )
    )
    marks: dict[int, list[tuple[str, datetime.datetime]]] = {}
    for etd_id, status, at in Attendance.objects.filter(etd__in=etds, meeting__starts_at__lt=now).values_list(
        "etd_id", "status", "meeting__starts_at"
    ):
        marks.setdefault(etd_id, []).append((status, at))
    rows = []
    for etd in etds:
        since = _joined(etd)
        statuses = [status for status, at in marks.get(etd.pk, []) if at >= since]
        rows.append(
            AttendanceRate(
                etd=etd,
                held=sum(1 for atd_id, at in held if atd_id == etd.atd_id and at >= since),
                present=statuses.count(AttendanceStatus.PRESENT),
                excused=statuses.count(AttendanceStatus.EXCUSE),
                absent=statuses.count(AttendanceStatus.ABSENT),
            )
        )
    return rows


def _joined(etd: Etd) -> datetime.datetime:
    """The day the ETD joined the follow-up: a meeting earlier that day still counts."""
    day = timezone.localtime(etd.created_at, PARIS).date()
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=PARIS)


RATE_COLUMNS = ["Collectivité", "Code INSEE", "Réunions tenues depuis l'arrivée", "Présent", "Excusé", "Absent", "Taux de présence (%)"]  # fmt: skip


def rate_rows(rates: Iterable[AttendanceRate]) -> list[list[Any]]:
    return [
        [r.etd.territory.nom, r.etd.territory.code, r.held, r.present, r.excused, r.absent, r.rate]
        for r in rates
    ]


@dataclass
class EtdAttendance:
    """What the ETD page shows of its meetings."""

    rate: AttendanceRate
    past: list[tuple[Meeting, str]]
    upcoming: list[Meeting]


def etd_attendance(etd: Etd, now: datetime.datetime | None = None, upcoming: int = 3) -> EtdAttendance:
    now = now or timezone.now()
    statuses = dict(Attendance.objects.filter(etd=etd).values_list("meeting_id", "status"))
    labels = dict(AttendanceStatus.choices)
    past_meetings = Meeting.objects.filter(atd=etd.atd, starts_at__gte=_joined(etd)).held(now)
    past = [(m, str(labels.get(statuses.get(m.pk, ""), "non renseigné"))) for m in past_meetings]
    return EtdAttendance(
        rate=attendance_rates([etd], now)[0],
        past=past,
        upcoming=list(Meeting.objects.filter(atd=etd.atd).upcoming(now)[:upcoming]),
    )


# --- iCal feeds --------------------------------------------------------------------------------------------


def atd_feed(atd: Atd) -> CalendarFeed:
    return CalendarFeed.objects.get_or_create(atd=atd, user=None)[0]


def user_feed(user: Any) -> CalendarFeed:
    return CalendarFeed.objects.get_or_create(user=user, atd=None)[0]


def renew(feed: CalendarFeed) -> CalendarFeed:
    """A new secret: the old address stops working at once."""
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    return feed


def feed_atds(feed: CalendarFeed) -> tuple[str, list[int]]:
    """The calendar's name and the ATDs whose meetings a feed carries, read when the feed is fetched
    (a member who leaves an ATD stops receiving its meetings)."""
    if feed.atd_id is not None:
        return f"Réunions – {feed.atd}", [feed.atd_id]
    user = feed.user
    if user is None or not user.is_active:
        return "Réunions", []
    team = set(Atd.objects.of_user(user).values_list("pk", flat=True))
    agent = set(EtdAgent.objects.filter(user=user).values_list("atd_id", flat=True))
    return "Mes réunions OpenDataLocale", sorted(team | agent)


def calendar(name: str, meetings: Iterable[Meeting], site_url: str, host: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//OpenDataLocale//Points mensuels//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now()
    for meeting in meetings:
        starts = timezone.localtime(meeting.starts_at, PARIS)
        event = icalendar.Event()
        # One UID per meeting, for ever: calendars update the event instead of adding a copy.
        event.add("uid", f"reunion-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", starts)
        event.add("dtend", starts + datetime.timedelta(minutes=meeting.duration_minutes))
        event.add("summary", f"{meeting.title} – {meeting.atd.name}")
        if meeting.location:
            event.add("location", meeting.location)
        if meeting.agenda:
            event.add("description", plain_text(meeting.agenda))
        event.add("sequence", meeting.sequence)
        event.add("last-modified", meeting.updated_at)
        event.add("url", site_url + meeting.get_absolute_url())
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
