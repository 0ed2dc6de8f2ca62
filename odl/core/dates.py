"""Calendar arithmetic the apps share: months are not a fixed number of days."""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier, when negative), or that month's last day when it is
    shorter (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same instant ``months`` earlier (clamped to the shorter month's last day)."""
    day = add_months(moment.date(), -months)
    return moment.replace(year=day.year, month=day.month, day=day.day)
