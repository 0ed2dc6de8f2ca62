"""The reuses gallery with 10,000 reuses and the places directory with 5,000 places.

    .venv/bin/python -m bench.valorisation_pages              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.valorisation_pages --sqlite-only

Goal: p95 under 150 ms for each page (30 requests through Django's test client, after one warm-up).
The référentiel is synthetic: 2 régions, 4 départements, 20 EPCI and 800 communes; each reuse names one
or two communes, each place lies in one. The directory's map carries every place of the filter (5,000
points unfiltered), so its page is measured with and without a filter. Each engine gets a fresh
database. Times are wall-clock on this machine; no test asserts them.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from bench.tools import database

PG_URL = os.environ.get(
    "ODL_BENCH_VALORISATION_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_valorisation_bench"
)
REUSES = 10_000
PLACES = 5_000
COMMUNES = 800
REQUESTS = 30


def populate() -> None:
    from odl.places.models import Place, PlaceKind
    from odl.reuses.models import THEMES, Reuse, ReuseKind
    from odl.territories.models import Kind, Territory

    regions = [Territory(kind=Kind.REGION, code=c, nom=f"Région {c}", region_code=c) for c in ("53", "52")]
    deps = [
        Territory(kind=Kind.DEPARTEMENT, code=c, nom=f"Département {c}", departement_code=c, region_code=r)
        for c, r in (("35", "53"), ("22", "53"), ("44", "52"), ("49", "52"))
    ]
    Territory.objects.bulk_create(regions + deps)
    epcis = Territory.objects.bulk_create(
        [
            Territory(kind=Kind.EPCI, code=f"2000000{i:02d}", nom=f"EPCI {i}", departement_code=deps[i % 4].code, region_code=deps[i % 4].region_code)
            for i in range(20)
        ]
    )  # fmt: skip
    communes = Territory.objects.bulk_create(
        [
            Territory(
                kind=Kind.COMMUNE,
                code=f"{deps[i % 4].code}{i:03d}",
                nom=f"Commune {i}",
                population=1000 + i,
                departement_code=deps[i % 4].code,
                region_code=deps[i % 4].region_code,
                epci=epcis[i % 20],
            )  # fmt: skip
            for i in range(COMMUNES)
        ]
    )
    kinds, themes = ReuseKind.values, [t for t, _ in THEMES]
    reuses = Reuse.objects.bulk_create(
        [
            Reuse(
                title=f"Réutilisation numéro {i}",
                url=f"https://exemple.org/r/{i}",
                author=f"Auteur {i % 97}",
                kind=kinds[i % len(kinds)],
                theme=themes[i % len(themes)],
            )  # fmt: skip
            for i in range(REUSES)
        ],
        batch_size=2000,
    )
    through = Reuse.territories.through
    links = [through(reuse_id=r.pk, territory_id=communes[i % COMMUNES].pk) for i, r in enumerate(reuses)]
    links += [
        through(reuse_id=r.pk, territory_id=communes[(i * 7 + 3) % COMMUNES].pk)
        for i, r in enumerate(reuses)
        if i % 2
    ]
    through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    place_kinds = PlaceKind.values
    Place.objects.bulk_create(
        [
            Place(
                name=f"Lieu numéro {i}",
                kind=place_kinds[i % len(place_kinds)],
                commune=communes[i % COMMUNES],
                latitude=47 + (i % 300) / 100,
                longitude=-4 + (i % 400) / 100,
                address=f"{i} rue des Données",
            )  # fmt: skip
            for i in range(PLACES)
        ],
        batch_size=2000,
    )


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    from django.test import Client

    from odl.places.models import Place
    from odl.reuses.models import Reuse

    populate()
    database.analyze()
    print(f"[{engine}] {Reuse.objects.count()} réutilisations, {Place.objects.count()} lieux")
    client = Client()
    cases = [
        ("galerie, page 1", "/reutilisations/"),
        ("galerie, page 300", "/reutilisations/?page=300"),
        ("galerie, département et type", "/reutilisations/?territoire=D35&type=carte"),
        ("galerie, une commune", "/reutilisations/?territoire=35004"),
        ("galerie, un EPCI", "/reutilisations/?territoire=200000000"),
        ("réutilisations par département", "/reutilisations/perimetres/"),
        ("annuaire, France (5 000 points)", "/lieux/"),
        ("annuaire, un département", "/lieux/?territoire=D35"),
        ("annuaire, une page du tableau", "/lieux/?territoire=D35&type=infolab&page=3"),
    ]
    medians: dict[str, float] = {}
    for label, url in cases:
        samples = measure(client, url)
        medians[url] = statistics.median(samples)
        verdict = "objectif tenu" if database.p95(samples) < 150 else "au-dessus de l'objectif de 150 ms"
        print(
            f"[{engine}] {label:<36} {database.summary(samples)} ({REQUESTS} requêtes) : {verdict}",
            flush=True,
        )
    # The alternative: the map's 5,000 points serialised on every request (the cache emptied before each).
    uncached = measure(client, "/lieux/", clear=True)
    ratio = statistics.median(uncached) / medians["/lieux/"]
    print(
        f"[{engine}] {'annuaire, France, sans cache de carte':<36} {database.summary(uncached)} : "
        f"la carte en cache rend la page {ratio:.1f} fois plus rapide",
        flush=True,
    )


def measure(client: Any, url: str, *, clear: bool = False) -> list[float]:
    from django.core.cache import cache

    client.get(url)  # warm-up
    samples = []
    for _ in range(REQUESTS):
        if clear:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def main() -> None:
    database.engines_main("bench.valorisation_pages", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
