"""Programme benchmarks: the after-snapshot commitment check nationally, and generating a convention.

    .venv/bin/python -m bench.programme_commitments

A fresh SQLite database: 5,000 ETDs spread over 50 ATDs, each with 1–2 "publish" commitments, and about
60,000 harvested datasets (the ETDs' own and others'), a sixth of the ETDs having published a promised
schema. Times are wall-clock on this machine; nothing here is asserted by tests.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from bench.tools.database import django_on

ETDS = 5000
SCHEMAS = ["scdl/subventions", "scdl/deliberations", "scdl/equipements", "scdl/budget", "scdl/catalogue"]


def build(rng: random.Random) -> None:
    from odl.atds.models import Atd
    from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
    from odl.programme.models import Commitment, CommitmentKind, Etd
    from odl.territories.models import Territory

    territories = Territory.objects.bulk_create(
        Territory(kind="commune", code=f"{10000 + n}", siren=f"2{n:08d}", nom=f"Commune {n}")
        for n in range(ETDS + 3000)
    )
    atds = Atd.objects.bulk_create(Atd(name=f"ATD {n}", slug=f"atd-{n}", kind="autre") for n in range(50))
    etds = Etd.objects.bulk_create(
        Etd(atd=atds[n % len(atds)], territory=territories[n], step="convention_signee") for n in range(ETDS)
    )
    commitments = []
    for etd in etds:
        for schema in rng.sample(SCHEMAS, rng.choice((1, 2))):
            due = None if rng.random() < 0.5 else __import__("datetime").date(2026, rng.randint(1, 12), 1)
            commitments.append(
                Commitment(etd=etd, kind=CommitmentKind.PUBLISH, schema_id=schema, due_date=due)
            )
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    source = HarvestSource.objects.create(
        name="data.gouv.fr", kind="datagouv", url="https://www.data.gouv.fr"
    )
    publishers = Publisher.objects.bulk_create(
        Publisher(source=source, remote_id=f"org-{t.pk}", name=t.nom, territory=t, match_status="auto")
        for t in territories
        if rng.random() < 0.4
    )
    datasets = []
    for publisher in publishers:
        for n in range(rng.randint(1, 40)):
            schemas = [rng.choice(SCHEMAS)] if rng.random() < 0.1 else []
            datasets.append(
                HarvestedDataset(
                    source=source,
                    publisher=publisher,
                    remote_id=f"{publisher.remote_id}-{n}",
                    title=f"Jeu {n}",
                    schemas=schemas,
                    url=f"https://example.org/{publisher.pk}/{n}",
                )
            )
    HarvestedDataset.objects.bulk_create(datasets, batch_size=2000)
    print(
        f"population : {len(etds)} ETD, {len(commitments)} engagements de publication, "
        f"{len(datasets)} jeux moissonnés ({len(publishers)} éditeurs)"
    )


def main() -> None:
    django_on()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build(random.Random(2026))

    from odl.programme.commitments import check_commitments

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with CaptureQueriesContext(connection) as queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        stats = check_commitments()
        first, first_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(
        f"vérification après instantané (1re, avec écritures) : {first:.2f} s (CPU de ce processus "
        f"{first_cpu:.2f} s, charge de la machine {load}), {len(queries)} requêtes — {stats}"
    )
    again = []
    for _ in range(3):
        start = time.perf_counter()
        check_commitments()
        again.append(time.perf_counter() - start)
    print(f"vérification suivante (rien à écrire) : médiane {statistics.median(again):.2f} s")

    from odl.programme.conventions import generate
    from odl.programme.models import Convention, Etd

    etd = Etd.objects.select_related("atd", "territory").first()
    assert etd is not None
    convention = Convention.objects.create(
        etd=etd,
        atd_signatory="Jean Dupont",
        atd_signatory_title="Président",
        etd_signatory="Marie Durand",
        etd_signatory_title="Maire",
        lieu="Rennes",
        datasets=SCHEMAS[:3],
        support=["Animation", "Formation"],
    )
    for fmt in ("odt", "docx"):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            generate(convention, fmt)
            times.append(time.perf_counter() - start)
        print(
            f"convention {fmt.upper()} générée : médiane {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
