"""Foundation benchmarks: référentiel load, ciblage response times, big exports.

    .venv/bin/python -m bench.foundation              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.foundation --sqlite-only

Each engine gets a fresh database (a temporary SQLite file; a `odl_bench` PostgreSQL database that
is dropped and recreated). Times are wall-clock on this machine; nothing here is asserted by tests.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("ODL_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_bench")


def run_engine(database_url: str) -> None:
    """Runs in a child process so that each engine gets its own Django settings."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from odl.core import exports
    from odl.territories.loader import load_referentiel
    from odl.territories.models import Kind, Territory
    from odl.territories.targeting import EXPORT_COLUMNS, build_criteria, compute_targets, export_rows

    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    record = load_referentiel()
    first_load = time.perf_counter() - start
    start = time.perf_counter()
    load_referentiel()
    reload = time.perf_counter() - start
    print(f"[{engine}] chargement complet du référentiel ({record.created} lignes) : {first_load:.2f} s")
    print(f"[{engine}] rechargement idempotent (rien n'a changé)           : {reload:.2f} s")

    client = Client()
    cases = [
        ("France entière, page HTML", "/ciblage/", {}),
        ("France entière, API JSON", "/api/targets", {}),
        ("Région 84 (Auvergne-Rhône-Alpes), page HTML", "/ciblage/", {"region": "84"}),
        ("Région 84, API JSON", "/api/targets", {"region": "84"}),
    ]
    for label, url, params in cases:
        client.get(url, params)  # warm-up
        samples = []
        for _ in range(40):
            start = time.perf_counter()
            response = client.get(url, params)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(
            f"[{engine}] {label:<45} médiane {statistics.median(samples):6.1f} ms, p95 {p95:6.1f} ms (40 requêtes)"
        )

    result = compute_targets(build_criteria(include_all=True, kinds=["commune"]))
    rows = export_rows(result)
    start = time.perf_counter()
    data = exports.to_xlsx(EXPORT_COLUMNS, rows)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    whole = compute_targets(build_criteria(include_all=True, kinds=["commune"]))
    data = exports.to_xlsx(EXPORT_COLUMNS, export_rows(whole))
    end_to_end = time.perf_counter() - start
    start = time.perf_counter()
    ods = exports.to_ods(EXPORT_COLUMNS, rows)
    ods_time = time.perf_counter() - start
    # The tool a user would otherwise reach for: openpyxl in write-only mode.
    from openpyxl import Workbook

    start = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    openpyxl_time = time.perf_counter() - start
    communes = Territory.objects.filter(kind=Kind.COMMUNE, active=True).count()
    print(
        f"[{engine}] export XLSX des {len(rows)} communes ({communes} actives) : {ours:.2f} s "
        f"(requête + export : {end_to_end:.2f} s, {len(data) / 1e6:.1f} Mo) ; openpyxl write-only : "
        f"{openpyxl_time:.2f} s → {openpyxl_time / ours:.1f}× plus rapide"
    )
    print(f"[{engine}] export ODS des mêmes communes : {ods_time:.2f} s ({len(ods) / 1e6:.1f} Mo)")


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS odl_bench")
            conn.execute("CREATE DATABASE odl_bench")
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
    print(f"Machine : {os.cpu_count()} cœurs ; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite:///{tmp}/bench.sqlite3"]
        if not args.sqlite_only and postgres_available():
            urls.append(PG_URL)
        for url in urls:
            subprocess.run(
                [sys.executable, "-m", "bench.foundation", "--engine-url", url], cwd=REPO, check=True
            )


if __name__ == "__main__":
    main()
