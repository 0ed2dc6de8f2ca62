"""The planner's calendar with 1,000 events: the month view, its list, and the iCal feed.

    .venv/bin/python -m bench.animations_calendar              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.animations_calendar --sqlite-only

Goal: p95 under 150 ms for the month view (30 requests through Django's test client). The 1,000 events
are spread over twelve months (about 85 a month, several days long); a second case puts 1,000 events in
one month, the worst a month can get. Each engine gets a fresh database. Times are wall-clock on this
machine; no test asserts them.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

from bench.tools import database

REPO = Path(__file__).resolve().parent.parent
PG_DATABASE = "odl_animations_bench"
PG_URL = os.environ.get(
    "ODL_BENCH_ANIMATIONS_POSTGRES_URL", f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
)
EVENTS = 1000
REQUESTS = 30
FIRST = dt.date(2027, 1, 1)


def populate() -> None:
    from odl.animations.models import Event, Format
    from odl.atds.models import Atd, AtdKind

    formats = list(Format.objects.all())
    atds = [Atd.objects.create(name=f"ATD numéro {i}", kind=AtdKind.DEPARTEMENT) for i in range(10)]
    spread = [
        Event(
            format=formats[i % len(formats)],
            atd=atds[i % len(atds)],
            title=f"Événement numéro {i}",
            starts_on=FIRST + dt.timedelta(days=(i * 365) // EVENTS),
            ends_on=FIRST + dt.timedelta(days=(i * 365) // EVENTS + i % 3),
            place=f"Salle {i}",
        )
        for i in range(EVENTS)
    ]
    busy = [
        Event(
            format=formats[i % len(formats)],
            atd=atds[i % len(atds)],
            title=f"Mois chargé {i}",
            starts_on=dt.date(2029, 3, 1 + i % 28),
            ends_on=dt.date(2029, 3, 1 + i % 28),
        )
        for i in range(EVENTS)
    ]
    Event.objects.bulk_create(spread + busy)


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    from django.db import connection
    from django.test import Client

    from odl.animations.models import Event

    populate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    in_may = Event.objects.between(dt.date(2027, 5, 1), dt.date(2027, 5, 31)).count()
    print(f"[{engine}] {Event.objects.count()} événements ; {in_may} en mai 2027")
    client = Client()
    cases = [
        ("vue du mois (1 000 événements sur l'année)", "/animations/agenda/?mois=2027-05"),
        ("vue du mois (1 000 événements dans le mois)", "/animations/agenda/?mois=2029-03"),
        ("flux iCal public (tous les événements)", "/animations/agenda.ics"),
    ]
    for label, url in cases:
        client.get(url)  # warm-up
        samples = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        verdict = "objectif tenu" if p95 < 150 else "au-dessus de l'objectif de 150 ms"
        print(
            f"[{engine}] {label:<46} médiane {statistics.median(samples):6.1f} ms, "
            f"p95 {p95:6.1f} ms ({REQUESTS} requêtes) : {verdict}"
        )


def main() -> None:
    database.engines_main("bench.animations_calendar", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
