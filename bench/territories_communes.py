"""The communes' suggestions of the row form's autocomplete (``/recherche/communes.json``) on the whole
référentiel of France (the pinned npm package, about 35,000 communes and their communes déléguées).

    .venv/bin/python -m bench.territories_communes              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.territories_communes --sqlite-only

Goal: p95 under 50 ms per suggestion, what typing needs (the script waits 200 ms after the last key).
Each query is asked 30 times through Django's test client by a signed-in user, after one warm-up; the
search is a ``LIKE '%…%'`` on the folded name (no index can serve it), so a short common prefix that
matches thousands of communes is the worst case. A one-letter query runs no search: its time is the
fixed cost of a signed-in request (middleware, session, user), the floor of every other line. Wall-clock on this machine; no test asserts them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.tools import database

PG_URL = os.environ.get(
    "ODL_BENCH_COMMUNES_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_communes_bench"
)
REQUESTS = 30
QUERIES = [
    ("une lettre : aucune recherche (le socle)", "s"),
    ("deux lettres, très courant (« sa »)", "sa"),
    ("préfixe courant (« saint »)", "saint"),
    ("nom entier (« rennes »)", "rennes"),
    ("nom rare (« plouguerneau »)", "plouguerneau"),
    ("code INSEE (« 35238 »)", "35238"),
    ("début de code (« 3523 »)", "3523"),
    ("code postal (« 35000 »)", "35000"),
    ("rien ne correspond", "zzzqx"),
]


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from odl.territories.loader import load_referentiel
    from odl.territories.models import Kind, Territory

    load_referentiel(Path(settings.NODE_MODULES_DIR) / "@etalab" / "decoupage-administratif" / "data")
    database.analyze()
    communes = Territory.objects.filter(kind=Kind.COMMUNE).count()
    print(f"[{engine}] {communes} communes, {Territory.objects.count()} territoires en tout", flush=True)
    user = get_user_model().objects.create_user("bench", password="x" * 20)
    client = Client()
    client.force_login(user)
    for label, q in QUERIES:
        client.get("/recherche/communes.json", {"q": q})  # warm-up
        samples = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response = client.get("/recherche/communes.json", {"q": q})
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        found = len(response.json()["results"])
        verdict = "objectif tenu" if database.p95(samples) < 50 else "au-dessus de l'objectif de 50 ms"
        print(
            f"[{engine}] {label:<38} {database.summary(samples)}, {found:2d} résultats : {verdict}",
            flush=True,
        )


def main() -> None:
    database.engines_main("bench.territories_communes", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
