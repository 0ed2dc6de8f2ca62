"""ETD pipeline benchmarks: an ATD with 500 ETDs and 2,000 commitments, its board and its table.

    .venv/bin/python -m bench.programme_pipeline              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.programme_pipeline --sqlite-only

Goal: p95 under 150 ms for the board and the table (30 requests each through Django's test client).
Each engine gets a fresh database (a temporary SQLite file; the PostgreSQL database named by
``ODL_BENCH_PIPELINE_POSTGRES_URL``, ``odl_pipeline_bench`` by default, dropped and recreated). Times are
wall-clock on this machine, printed with the machine's load (other work on the CPU slows every figure)
and with the CPU time the request took in this process; no test asserts them.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from bench.tools.database import analyze, django_on, engines_main, p95, summary

PG_URL = os.environ.get(
    "ODL_BENCH_PIPELINE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_pipeline_bench"
)
ETDS = 500
COMMITMENTS_PER_ETD = 4
REQUESTS = 30


def populate() -> tuple[str, object]:
    """A département of 520 communes, an ATD following 500 of them, another ATD following 50."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from odl.atds.models import Atd, AtdKind, AtdMembership, AtdRole
    from odl.programme.models import (
        PIPELINE,
        Commitment,
        CommitmentKind,
        CommitmentStatus,
        Etd,
        EtdStepChange,
    )
    from odl.territories.models import Kind, Territory

    Territory.objects.create(kind=Kind.REGION, code="53", nom="Bretagne")
    departement = Territory.objects.create(
        kind=Kind.DEPARTEMENT, code="35", nom="Ille-et-Vilaine", region_code="53"
    )
    Territory.objects.bulk_create(
        Territory(
            kind=Kind.COMMUNE,
            code=f"35{i:03d}",
            nom=f"Commune numéro {i}",
            search_text=f"commune numero {i}",
            population=3600 + 17 * i,
            departement_code="35",
            region_code="53",
        )
        for i in range(1, ETDS + 21)
    )
    communes = list(Territory.objects.filter(kind=Kind.COMMUNE).order_by("code")[:ETDS])
    user = get_user_model().objects.create_user("alice", password="bench")
    atd = Atd.objects.create(name="ATD Ille-et-Vilaine", kind=AtdKind.DEPARTEMENT, structure=departement)
    atd.areas.add(departement)
    AtdMembership.objects.create(user=user, atd=atd, role=AtdRole.ADMIN)
    other = Atd.objects.create(name="Association voisine", kind=AtdKind.ASSOCIATION)
    other.areas.add(departement)
    now = timezone.now()
    Etd.objects.bulk_create(
        Etd(
            atd=atd, territory=t, step=PIPELINE[i % len(PIPELINE)], step_changed_at=now - dt.timedelta(days=i)
        )
        for i, t in enumerate(communes)
    )
    Etd.objects.bulk_create(Etd(atd=other, territory=t) for t in communes[:50])
    etds = list(atd.etds.all())
    EtdStepChange.objects.bulk_create(
        EtdStepChange(etd=etd, step=etd.step, at=now, by=user, note="bench") for etd in etds
    )
    today = timezone.localdate()
    statuses = list(CommitmentStatus)
    Commitment.objects.bulk_create(
        Commitment(
            etd=etd,
            kind=CommitmentKind.PUBLISH,
            schema_id="scdl/subventions",
            due_date=today + dt.timedelta(days=30 * (j - 2)),
            status=statuses[(i + j) % len(statuses)],
        )
        for i, etd in enumerate(etds)
        for j in range(COMMITMENTS_PER_ETD)
    )
    return atd.slug, user


def run_engine(database_url: str, data_dir: str) -> None:
    """Runs in a child process so that each engine gets its own Django settings."""
    engine = django_on(database_url, data_dir)
    from django.test import Client

    from odl.programme.models import Commitment, Etd

    slug, user = populate()
    analyze()
    print(
        f"[{engine}] {Etd.objects.filter(atd__slug=slug).count()} ETD, "
        f"{Commitment.objects.count()} engagements"
    )
    client = Client()
    client.force_login(user)
    cases = [
        ("tableau de suivi (40 cartes au plus par étape)", f"/suivi/{slug}/"),
        ("liste, page 1", f"/suivi/{slug}/tableau/"),
        ("liste triée par engagements en retard", f"/suivi/{slug}/tableau/?tri=-retard"),
        ("liste filtrée (recherche sans accents)", f"/suivi/{slug}/tableau/?q=numero+4"),
        ("export CSV de la liste entière", f"/suivi/{slug}/tableau/export.csv"),
    ]
    for label, url in cases:
        client.get(url)  # warm-up
        samples, cpu = [], []
        for _ in range(REQUESTS):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        verdict = "objectif tenu" if p95(samples) < 150 else "au-dessus de l'objectif de 150 ms"
        # The CPU time of this process (Django, and SQLite which runs inside it; not the PostgreSQL
        # server's): what the page costs whatever else the machine runs.
        print(
            f"[{engine}] {label:<42} {summary(samples)} ({REQUESTS} requêtes) : {verdict} ; "
            f"CPU {summary(cpu)}"
        )
    print(f"[{engine}] charge de la machine à la fin : {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    engines_main("bench.programme_pipeline", __doc__, PG_URL, run_engine)
