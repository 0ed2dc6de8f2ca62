"""The planner's calendar: a month grid, the list of the month, and the public iCal feed.

The month view runs one query for the events of the visible weeks, then places each event on each of
its days in Python: 1,000 events cost the same number of queries as ten (``bench/animations_calendar.py``).
The feed uses ``icalendar``, as the programme's meeting feeds do; events are whole days (``DATE``
values), the last day included, so ``DTEND`` is the day after it (RFC 5545).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from odl.animations.models import Event

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
# A day cell shows this many events, then « et N autres » (the list below the grid has them all).
PER_DAY = 4


class MonthProblem(ValueError):
    """A month parameter that is not « AAAA-MM »; the message is in French."""


def parse_month(value: str | None, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month « AAAA-MM », or of the current month when empty."""
    today = today or timezone.localdate()
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-", 1))
        if not 2000 <= year <= 2100:
            raise ValueError
        return datetime.date(year, month, 1)
    except ValueError:
        raise MonthProblem(
            f"Mois « {value[:20]} » illisible : indiquez-le sous la forme AAAA-MM, par exemple 2026-12."
        ) from None


@dataclass(frozen=True)
class Entry:
    """What the calendar shows of an event: plain values, no model instance (1,000 stay cheap)."""

    pk: int
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    place: str
    format_name: str
    atd_name: str
    url: str

    @property
    def dates(self) -> str:
        first = f"{self.starts_on:%d/%m/%Y}"
        return first if self.ends_on == self.starts_on else f"{first} – {self.ends_on:%d/%m/%Y}"

    @property
    def short(self) -> str:
        return self.title if len(self.title) <= 40 else self.title[:39] + "…"


def entries(events: QuerySet[Event]) -> list[Entry]:
    """One query; each public URL built from one reversed prefix rather than one reverse per event."""
    prefix = reverse("animations:event_public", args=[0])[: -len("0/")]
    rows = events.values_list(
        "pk", "title", "demo", "starts_on", "ends_on", "place", "format__name", "atd__name"
    ).order_by("starts_on", "title", "pk")
    return [
        Entry(
            pk,
            f"[Démo] {title}" if demo and not title.startswith("[Démo]") else title,
            starts_on,
            ends_on,
            place,
            format_name,
            atd_name,
            f"{prefix}{pk}/",
        )
        for pk, title, demo, starts_on, ends_on, place, format_name, atd_name in rows
    ]


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    events: list[Entry]
    more: int


@dataclass
class Month:
    first: datetime.date
    weeks: list[list[Day]]
    events: list[Entry]

    @property
    def label(self) -> str:
        return f"{MONTHS[self.first.month - 1]} {self.first.year}"

    @property
    def previous(self) -> str:
        day = self.first - datetime.timedelta(days=1)
        return f"{day.year}-{day.month:02d}"

    @property
    def next(self) -> str:
        last = month_calendar.monthrange(self.first.year, self.first.month)[1]
        day = self.first + datetime.timedelta(days=last)
        return f"{day.year}-{day.month:02d}"


def month(first: datetime.date, events: Iterable[Entry]) -> Month:
    """The weeks (Monday first) of the month of ``first`` with the events of each day."""
    weeks_dates = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_first, grid_last = weeks_dates[0][0], weeks_dates[-1][-1]
    rows = list(events)
    by_day: dict[datetime.date, list[Entry]] = defaultdict(list)
    for event in rows:
        day = max(event.starts_on, grid_first)
        last = min(event.ends_on, grid_last)
        while day <= last:
            by_day[day].append(event)
            day += datetime.timedelta(days=1)
    weeks = [
        [Day(d, d.month == first.month, by_day[d][:PER_DAY], max(0, len(by_day[d]) - PER_DAY)) for d in week]
        for week in weeks_dates
    ]
    in_month_last = datetime.date(
        first.year, first.month, month_calendar.monthrange(first.year, first.month)[1]
    )
    listed = [e for e in rows if e.starts_on <= in_month_last and e.ends_on >= first]
    return Month(first, weeks, listed)


def grid_bounds(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return weeks[0][0], weeks[-1][-1]


def ical(name: str, events: Iterable[Event], site_url: str, host: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//OpenDataLocale//Animations//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for event in events:
        item = icalendar.Event()
        # One UID per event, for ever: calendars update it instead of adding a copy.
        item.add("uid", f"animation-{event.pk}@{host}")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.starts_on)
        item.add("dtend", event.ends_on + datetime.timedelta(days=1))
        item.add("summary", f"{event.display_title} ({event.format.name}) – {event.atd.name}")
        if event.place:
            item.add("location", event.place)
        if event.description:
            item.add("description", event.description)
        item.add("sequence", event.sequence)
        item.add("last-modified", event.updated_at)
        item.add("url", site_url + event.get_public_url())
        cal.add_component(item)
    return bytes(cal.to_ical())
