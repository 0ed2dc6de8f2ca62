"""Foundation benchmarks: référentiel load, ciblage response times, big exports.

    .venv/bin/python -m bench.foundation              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.foundation --sqlite-only

Each engine gets a fresh database (a temporary SQLite file; a `odl_bench` PostgreSQL database that
is dropped and recreated). Times are wall-clock on this machine; nothing here is asserted by tests.
"""

from __future__ import annotations

import io
import os
import time

from bench.tools.database import django_on, engines_main, summary

PG_URL = os.environ.get("ODL_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_bench")


def run_engine(database_url: str, data_dir: str) -> None:
    """Runs in a child process so that each engine gets its own Django settings."""
    engine = django_on(database_url, data_dir)
    from django.test import Client

    from odl.core import exports
    from odl.territories.loader import load_referentiel
    from odl.territories.models import Kind, Territory
    from odl.territories.targeting import EXPORT_COLUMNS, build_criteria, compute_targets, export_rows

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
        print(f"[{engine}] {label:<45} {summary(samples)} (40 requêtes)")

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


if __name__ == "__main__":
    engines_main("bench.foundation", __doc__, PG_URL, run_engine)
