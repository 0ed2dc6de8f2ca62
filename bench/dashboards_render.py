"""A public dashboard over a 100,000-row published dataset: first render, kept render, raw-rows stream.

    .venv/bin/python -m bench.dashboards_render              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.dashboards_render --sqlite-only

The dashboard holds three charts on the same source: a sum per category (bars), a rate per year with a
change of method (two series) and a count per year. « premier affichage » empties Django's cache and the
process's parsed sources before each request: the CSV is read with polars and the three aggregates are
computed (goal: under 1 s). « affichage suivant » is the same page with the figures kept (keyed by the
source's checksum and the chart's spec). The raw rows of the whole source are then streamed as CSV
(formula injection neutralised cell by cell), and their throughput printed. Every request goes through
a real local HTTP server and the whole middleware stack; times are wall-clock on this machine, printed
with its load; no test asserts them.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import time
from typing import Any

from bench.tools import database, wsgi_server

PG_URL = os.environ.get(
    "ODL_BENCH_DASHBOARDS_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_dashboards_bench"
)
ROWS = 100_000
FIRST = 10
KEPT = 100
QUARTERS = [
    "Centre",
    "Nord",
    "Sud",
    "Est",
    "Ouest",
    "Bréquigny",
    "Maurepas",
    "Cleunay",
    "Villejean",
    "Beaulieu",
]


def populate() -> Any:
    from odl.atds.models import Atd
    from odl.dashboards.models import Chart, Dashboard
    from odl.programme.models import Etd
    from odl.publishing.models import Dataset
    from odl.publishing.versions import publish
    from odl.schemas.registry import known
    from odl.territories.models import Territory

    atd = Atd.objects.create(name="ATD du banc", slug="atd-banc", kind="departement")
    rennes = Territory.objects.create(kind="commune", code="35238", nom="Rennes", siren="213502388")
    etd = Etd.objects.create(atd=atd, territory=rennes)
    dataset = Dataset.objects.create(
        etd=etd, schema_name="subventions", title="Relevés de la qualité de l'air"
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "quartier", "valeur", "mesures", "depassements", "methode"])
    for i in range(ROWS):
        year = 2015 + i % 10
        writer.writerow(
            [
                f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                QUARTERS[i % len(QUARTERS)],
                f"{(i * 37) % 900 / 10:.1f}".replace(".", ","),
                str(10 + i % 5),
                str(i % 4),
                "capteur A" if year < 2021 else "capteur B",
            ]
        )
    started = time.perf_counter()
    publish(dataset, out.getvalue().encode(), known("subventions"), by=None, valid=True)
    print(f"publication du jeu de {ROWS} lignes : {time.perf_counter() - started:.1f} s (préparation)")
    dataset.refresh_from_db()
    board = Dashboard.objects.create(atd=atd, etd=etd, title="L'air de Rennes", slug="air", public=True)
    common = {"dashboard": board, "dataset": dataset, "method": "Relevés des capteurs."}
    Chart.objects.create(
        title="Somme par quartier",
        measure="sum",
        value_column="valeur",
        breakdown_column="quartier",
        **common,
    )
    Chart.objects.create(
        title="Taux de dépassement par année",
        measure="rate",
        value_column="depassements",
        denominator_column="mesures",
        breakdown_column="date",
        breakdown="year",
        kind="line",
        method_column="methode",
        **common,
    )
    Chart.objects.create(
        title="Relevés par année",
        measure="count",
        breakdown_column="date",
        breakdown="year",
        kind="area",
        **common,
    )
    return board


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    import httpx
    from django.core.cache import cache

    from odl.dashboards import sources

    board = populate()
    database.analyze()
    server, base = wsgi_server.serve()
    page = f"{base}/tableaux-de-bord/{board.slug}/"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{engine}] un tableau de bord de 3 graphiques sur {ROWS} lignes ; charge {load}")
    results: dict[str, float] = {}
    with httpx.Client(timeout=120) as client:
        start = time.perf_counter()
        assert client.get(page).status_code == 200
        print(
            f"[{engine}] toute première requête du processus (imports, gabarits, source lue) : "
            f"{(time.perf_counter() - start) * 1000:.0f} ms"
        )
        for label, url, count, cold in (
            ("premier affichage (page)", page, FIRST, True),
            ("premier affichage (intégration)", page + "integrer/", FIRST, True),
            ("affichage suivant (page)", page, KEPT, False),
            ("affichage suivant (intégration)", page + "integrer/", KEPT, False),
        ):
            samples = []
            for _ in range(count):
                if cold:
                    cache.clear()
                    sources.clear_frames()
                start = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (label, response.status_code)
                assert "n&#x27;est pas dessiné" not in response.text and "db-chart-svg" not in response.text
            results[label] = statistics.median(samples)
            print(
                f"[{engine}] {label:<34} médiane {results[label]:7.1f} ms, max {max(samples):7.1f} ms "
                f"({count} requêtes)"
            )
        first = results["premier affichage (page)"]
        print(
            f"[{engine}] premier affichage {first:.0f} ms : "
            f"{'objectif de 1 s tenu' if first < 1000 else 'au-dessus de 1 s'} ; il coûte "
            f"{first / results['affichage suivant (page)']:.1f} fois l'affichage suivant"
        )
        chart = board.charts.order_by("pk").first()
        start = time.perf_counter()
        size = 0
        lines = 0
        with client.stream("GET", f"{page}graphiques/{chart.pk}/lignes.csv") as response:
            assert response.status_code == 200
            for chunk in response.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\n")
        spent = time.perf_counter() - start
        print(
            f"[{engine}] lignes brutes en flux : {lines - 1} lignes, {size / 1e6:.1f} Mo en {spent:.2f} s "
            f"({(lines - 1) / spent:.0f} lignes/s, {size / 1e6 / spent:.1f} Mo/s)"
        )
    server.shutdown()


def main() -> None:
    database.engines_main("bench.dashboards_render", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
