"""The widget page of a published dataset (2,000 subventions) under the visitors of a commune's site.

    .venv/bin/python -m bench.publishing_widget              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.publishing_widget --sqlite-only

Goals: p95 under 50 ms warm, and 50 visitors at the same moment with no error. Every request goes
through a real local HTTP server (wsgiref, one thread per request) and the whole middleware stack.
« servie » is the same page asked 200 times (kept in Django's cache); « rendue » empties the cache
before each of 50 requests (the first visitor after a publication, or a search nobody made yet: the
table is parsed once per version and kept in the process); « 304 » is a browser that already has the
page (If-None-Match). Then 50 visitors at once, each its own page, search or filter. Everything is
measured twice: « base lue » reads the dataset's state from the database at each request (a cache of
each process's own, the default without ODL_CACHE_URL), « état en cache » keeps it in the cache as with
a shared Redis cache (PUBLISHING_WIDGET_STAMPS; this benchmark is one process, so its local cache is
shared by all its threads). Times are wall-clock on this machine, printed with its load; no test
asserts them.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import sys
import threading
import time
from typing import Any

from bench.tools import database, wsgi_server

PG_URL = os.environ.get(
    "ODL_BENCH_PUBLISHING_WIDGET_POSTGRES_URL",
    "postgres://postgres@127.0.0.1:5432/odl_publishing_widget_bench",
)
ROWS = 2000
WARM = 200
COLD = 50
CONCURRENT = 50


def populate() -> Any:
    from odl.atds.models import Atd
    from odl.programme.models import Etd
    from odl.publishing.models import Dataset
    from odl.publishing.versions import publish
    from odl.schemas.registry import known
    from odl.territories.models import Territory

    atd = Atd.objects.create(name="ATD du banc", kind="departement")
    rennes = Territory.objects.create(kind="commune", code="35238", nom="Rennes", siren="213502388")
    etd = Etd.objects.create(atd=atd, territory=rennes)
    schema = known("subventions")
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions 2024")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(schema.field_names)
    natures = ["aide en numéraire", "aide en nature"]
    for i in range(ROWS):
        row = dict.fromkeys(schema.field_names, "")
        row.update(
            {
                "nomAttribuant": "Ville de Rennes",
                "idAttribuant": "21350238800019",
                "dateConvention": "2024-03-12",
                "nomBeneficiaire": f"Association {i}",
                "idBeneficiaire": "44088714900019",
                "objet": f"Projet de quartier {i}",
                "montant": f"{100 + i * 7}.50",
                "nature": natures[i % 2],
            }
        )
        writer.writerow([row[f] for f in schema.field_names])
    publish(dataset, out.getvalue().encode(), schema, by=None, valid=True)
    dataset.refresh_from_db()
    return dataset


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)

    dataset = populate()
    database.analyze()
    server, root = wsgi_server.serve()
    base = f"{root}/donnees/{dataset.pk}/widget/"
    failed = False
    for stamps in (False, True):
        failed = measure(f"{engine}, {'état en cache' if stamps else 'base lue'}", base, stamps) or failed
    server.shutdown()
    if failed:
        sys.exit(1)


def measure(engine: str, base: str, stamps: bool) -> bool:
    """The four cases on one mode; True when a visitor got an error."""
    import httpx
    from django.conf import settings
    from django.core.cache import cache

    settings.PUBLISHING_WIDGET_STAMPS = stamps
    cache.clear()
    query = "?colonnes=nomBeneficiaire,objet,montant,nature&graphique=montant&par=nature"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    cpu = time.process_time()
    print(f"[{engine}] un jeu de {ROWS} lignes, tableau de 20 lignes et graphique ; charge {load}")
    figures: dict[str, float] = {}
    with httpx.Client(timeout=60) as client:
        first = client.get(base + query)
        assert first.status_code == 200, first.status_code
        assert "set-cookie" not in first.headers, "le widget a déposé un cookie"
        etag = first.headers["etag"]
        cases: list[tuple[str, int, bool, dict[str, str]]] = [
            ("servie (cache)", WARM, False, {}),
            ("rendue (cache vidé)", COLD, True, {}),
            ("304 (le navigateur l'a déjà)", WARM, False, {"If-None-Match": etag}),
        ]
        for label, count, cold, headers in cases:
            samples = []
            for _ in range(count):
                if cold:
                    cache.clear()
                start = time.perf_counter()
                response = client.get(base + query, headers=headers)
                samples.append((time.perf_counter() - start) * 1000)
                expected = 304 if headers else 200
                assert response.status_code == expected, (label, response.status_code)
            figures[label] = _p95(samples)
            print(
                f"[{engine}] {label:<30} médiane {statistics.median(samples):6.1f} ms, p95 {figures[label]:6.1f} ms "
                f"({count} requêtes)"
            )
    warm = figures["servie (cache)"]
    print(
        f"[{engine}] p95 servie {warm:.1f} ms : {'objectif de 50 ms tenu' if warm < 50 else 'au-dessus des 50 ms'} ; "
        f"rendre la page coûte {figures['rendue (cache vidé)'] / warm:.1f} fois la servir"
    )

    barrier = threading.Barrier(CONCURRENT)
    errors: list[str] = []
    times: list[float] = []
    lock = threading.Lock()

    def visitor(index: int) -> None:
        variants = [
            f"&page={1 + index % 10}",
            f"&q=association+{index}",
            "&filtre=nature&valeur=aide+en+nature",
            "",
        ]
        url = base + query + variants[index % len(variants)]
        try:
            with httpx.Client(timeout=60) as own:
                barrier.wait()
                start = time.perf_counter()
                response = own.get(url)
                spent = (time.perf_counter() - start) * 1000
            with lock:
                times.append(spent)
                if response.status_code != 200 or "set-cookie" in response.headers:
                    errors.append(f"visiteur {index} : HTTP {response.status_code}")
        except Exception as exc:  # noqa: BLE001 - every failure is a figure of the benchmark
            with lock:
                errors.append(f"visiteur {index} : {exc!r}")

    cache.clear()
    workers = [threading.Thread(target=visitor, args=(i,)) for i in range(CONCURRENT)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    print(
        f"[{engine}] {CONCURRENT} visiteurs en même temps (cache vide, pages et recherches différentes) : "
        f"{len(times) - len(errors)} pages servies, {len(errors)} erreurs, en {elapsed:.1f} s "
        f"(p95 {_p95(times) if times else 0:.0f} ms par visiteur)"
    )
    for error in errors[:5]:
        print(f"[{engine}]   {error}")
    print(f"[{engine}] temps CPU du processus (serveur et clients) : {time.process_time() - cpu:.1f} s")
    return bool(errors) or len(times) != CONCURRENT


def main() -> None:
    database.engines_main("bench.publishing_widget", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
