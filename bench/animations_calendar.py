"""The planner's calendar with 1,000 events: the month view, its list, and the iCal feed.

    .venv/bin/python -m bench.animations_calendar              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.animations_calendar --sqlite-only

Goal: p95 under 150 ms for the month view (30 requests through Django's test client). The 1,000 events
are spread over twelve months (about 85 a month, several days long); a second case puts 1,000 events in
one month, the worst a month can get. Each engine gets a fresh database. Times are wall-clock on this
machine; no test asserts them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def run_engine(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from odl.animations.models import Event

    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    call_command("migrate", verbosity=0)
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


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"PostgreSQL indisponible ({exc}) : mesures SQLite seulement.")
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine-url", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.engine_url:
        run_engine(args.engine_url)
        return
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Machine : {os.cpu_count()} cœurs, charge {load} ; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite:///{tmp}/bench.sqlite3"]
        if not args.sqlite_only and postgres_available():
            urls.append(PG_URL)
        for url in urls:
            subprocess.run(
                [sys.executable, "-m", "bench.animations_calendar", "--engine-url", url], cwd=REPO, check=True
            )


if __name__ == "__main__":
    main()
