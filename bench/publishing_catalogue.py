"""The DCAT-AP catalogue with 10,000 published datasets: every syntax, first, middle and last pages.

    .venv/bin/python -m bench.publishing_catalogue              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.publishing_catalogue --sqlite-only

Goal: each page under 300 ms (100 datasets a page, through Django's test client). A page is written
once and kept until a dataset changes, and so is each dataset's own part of it: « à froid » clears the
whole cache before each of 5 requests (a restarted cache: every dataset of the page written again),
« après un changement » edits one dataset of the page before each of 5 requests (the first visitor after
a publication: the page is written again from the other 99 kept parts), « servie » is 20 requests of
the kept page.
The datasets are spread over 100 collectivités of one ATD, each with one version. Times are
wall-clock on this machine, printed with the machine's load; no test asserts them.
"""

from __future__ import annotations

import os
import time

from bench.tools import database

PG_URL = os.environ.get(
    "ODL_BENCH_PUBLISHING_CATALOGUE_POSTGRES_URL",
    "postgres://postgres@127.0.0.1:5432/odl_publishing_catalogue_bench",
)
DATASETS = 10_000
REQUESTS = 20


def populate() -> None:
    from django.utils import timezone

    from odl.atds.models import Atd
    from odl.programme.models import Etd
    from odl.publishing.models import Dataset, DatasetVersion
    from odl.territories.models import Territory

    atd = Atd.objects.create(name="ATD du banc", kind="departement")
    territories = Territory.objects.bulk_create(
        Territory(kind="commune", code=f"35{i:03d}", nom=f"Commune {i}", siren=f"2135{i:05d}")
        for i in range(100)
    )
    etds = Etd.objects.bulk_create(Etd(atd=atd, territory=t) for t in territories)
    datasets = Dataset.objects.bulk_create(
        Dataset(etd=etds[i % 100], schema_name="subventions", title=f"Subventions {i}")
        for i in range(DATASETS)
    )
    now = timezone.now()
    versions = DatasetVersion.objects.bulk_create(
        DatasetVersion(
            dataset=d,
            number=1,
            file=f"publishing/versions/{d.pk}-v1.csv",
            sha256="0" * 64,
            rows=10,
            schema_version="2.1.1",
            valid=True,
            created_at=now,
        )
        for d in datasets
    )
    for dataset, version in zip(datasets, versions, strict=True):
        dataset.latest = version
    Dataset.objects.bulk_update(datasets, ["latest"], batch_size=1000)


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    from django.core.cache import cache
    from django.test import Client

    from odl.publishing.models import Dataset

    populate()
    database.analyze()
    client = Client()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{engine}] {DATASETS} jeux publiés, 100 par page ; charge {load}")
    for fmt in ("ttl", "rdf", "jsonld"):
        for page in (1, 50, 100):
            url = f"/donnees/catalogue.{fmt}?page={page}"
            cold = []
            for _ in range(5):
                cache.clear()
                start = time.perf_counter()
                response = client.get(url)
                cold.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            changed = []
            first = (page - 1) * 100
            for i in range(5):
                dataset = Dataset.objects.order_by("pk")[first + i]
                dataset.title = f"{dataset.title} ({fmt} {i})"
                dataset.save()
                start = time.perf_counter()
                response = client.get(url)
                changed.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200 and dataset.title.encode() in response.content
            samples = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - start) * 1000)
            worst = max(database.p95(cold), database.p95(changed), database.p95(samples))
            verdict = "objectif tenu" if worst < 300 else "au-dessus de l'objectif de 300 ms"
            print(
                f"[{engine}] {fmt:<6} page {page:>3} : à froid {database.summary(cold)} ; "
                f"après un changement {database.summary(changed)} ; "
                f"servie {database.summary(samples)} : {verdict}"
            )


def main() -> None:
    database.engines_main("bench.publishing_catalogue", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
