"""Questionnaire benchmarks: a campaign of 2,000 respondents, its aggregates page, 50 answers at once.

    .venv/bin/python -m bench.culture_aggregates              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.culture_aggregates --sqlite-only

Goals: the ATD's aggregates page p95 under 200 ms (30 requests through Django's test client, for the
whole territory and for one collectivité; each measured with the figures cached, the usual case, and
« à froid », the cache emptied before each request as after a new response); 50 respondents sending their answers at the same moment
through a real local HTTP server (wsgiref, one thread per request), with no error and 50 responses
stored. Each engine gets a fresh database (a temporary SQLite file; an ``odl_culture_bench``
PostgreSQL database dropped and recreated). Times are wall-clock on this machine; no test asserts them.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.tools import database, wsgi_server

REPO = Path(__file__).resolve().parent.parent
PG_DATABASE = "odl_culture_bench"
PG_URL = os.environ.get("ODL_BENCH_CULTURE_POSTGRES_URL", f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}")
RESPONDENTS = 2000
ETDS = 20
REQUESTS = 30
CONCURRENT = 50


def populate() -> tuple[Any, Any, Any]:
    """An ATD following 20 communes, the default bank, a campaign answered by 2,000 agents."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from odl.atds.models import Atd, AtdKind, AtdMembership, AtdRole
    from odl.culture import answering, bank, rules
    from odl.culture.models import Answer, Campaign, Item, RespondentRole, Response
    from odl.programme.models import Etd
    from odl.territories.models import Kind, Territory

    Territory.objects.create(kind=Kind.REGION, code="53", nom="Bretagne")
    departement = Territory.objects.create(
        kind=Kind.DEPARTEMENT, code="35", nom="Ille-et-Vilaine", region_code="53"
    )
    Territory.objects.bulk_create(
        Territory(
            kind=Kind.COMMUNE, code=f"35{i:03d}", nom=f"Commune {i}", departement_code="35", region_code="53"
        )
        for i in range(1, ETDS + 1)
    )
    user = get_user_model().objects.create_user("alice", password="bench")
    atd = Atd.objects.create(name="ATD Ille-et-Vilaine", kind=AtdKind.DEPARTEMENT, structure=departement)
    atd.areas.add(departement)
    AtdMembership.objects.create(user=user, atd=atd, role=AtdRole.ADMIN)
    Etd.objects.bulk_create(Etd(atd=atd, territory=t) for t in Territory.objects.filter(kind=Kind.COMMUNE))
    etds = list(Etd.objects.filter(atd=atd))
    bank.ensure_default()
    rules.ensure_default()
    campaign = Campaign.objects.create(
        atd=atd, title="Bench", closes_on=timezone.localdate() + dt.timedelta(days=30)
    )
    items = list(Item.objects.active().in_bank_order())
    draw = random.Random(12)
    now = timezone.now()
    roles = RespondentRole.values
    for start in range(0, RESPONDENTS, 500):
        batch = []
        chosen_batch = []
        for index in range(start, min(start + 500, RESPONDENTS)):
            level = draw.choice([0.5, 1.5, 2.5, 3.5])
            chosen: dict[int, int | None] = {}
            for item in items:
                if draw.random() < 0.07:
                    chosen[item.pk] = None
                elif item.correct_option is not None:
                    chosen[item.pk] = item.correct_option if draw.random() < level / 4 else 0
                else:
                    chosen[item.pk] = max(0, min(4, round(draw.gauss(level, 1))))
            result = answering.score_answers([(item, item.points_for(chosen[item.pk])) for item in items])
            batch.append(
                Response(
                    campaign=campaign,
                    etd=etds[index % len(etds)],
                    role=roles[index % len(roles)],
                    service="Service",
                    consented_at=now,
                    submitted_at=now,
                    scores=result.by_code(),
                )
            )
            chosen_batch.append(chosen)
        stored = Response.objects.bulk_create(batch)
        Answer.objects.bulk_create(
            Answer(
                response=response, item=item, choice=chosen[item.pk], points=item.points_for(chosen[item.pk])
            )
            for response, chosen in zip(stored, chosen_batch, strict=True)
            for item in items
        )
    return atd, campaign, user


def concurrent_answers(campaign: Any) -> tuple[int, list[str], float]:
    """50 threads, each a browser of its own: GET the form (CSRF cookie), then POST at the same moment."""
    import httpx

    from odl.culture.models import Item

    server, base = wsgi_server.serve()
    url = f"{base}/questionnaire/{campaign.token}/"
    answers = {f"q-{item.code}": "2" for item in Item.objects.active()}
    barrier = threading.Barrier(CONCURRENT)
    errors: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def respondent(index: int) -> None:
        try:
            with httpx.Client(timeout=60) as client:
                page = client.get(url)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                assert token, "jeton CSRF absent"
                data = {
                    **answers,
                    "csrfmiddlewaretoken": token.group(1),
                    "etd": "autre",
                    "role": "metier",
                    "service": f"Service {index}",
                    "consent": "on",
                }
                barrier.wait()
                sent = client.post(url, data=data, headers={"Referer": url})
                with lock:
                    statuses.append(sent.status_code)
                if sent.status_code != 302:
                    with lock:
                        errors.append(f"réponse {index} : HTTP {sent.status_code}")
        except Exception as exc:  # noqa: BLE001 - every failure is a figure of the benchmark
            with lock:
                errors.append(f"réponse {index} : {exc!r}")

    workers = [threading.Thread(target=respondent, args=(i,)) for i in range(CONCURRENT)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    server.shutdown()
    return sum(1 for s in statuses if s == 302), errors, elapsed


def run_engine(database_url: str, data_dir: str) -> None:
    """Runs in a child process so that each engine gets its own Django settings."""
    engine = database.django_on(database_url, data_dir)
    from django.db import connection
    from django.test import Client

    from odl.culture.models import Answer, Response

    started = time.perf_counter()
    atd, campaign, user = populate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"[{engine}] {Response.objects.count()} répondants, {Answer.objects.count()} réponses "
        f"(préparées en {time.perf_counter() - started:.0f} s)"
    )
    client = Client()
    client.force_login(user)
    etd_key = f"etd-{Response.objects.values_list('etd_id', flat=True).first()}"
    base = f"/culture/{atd.slug}/campagne/{campaign.pk}/"
    cases = [
        ("agrégats, tout le territoire", base),
        ("agrégats, distribution d'une collectivité", f"{base}?groupe={etd_key}"),
        ("export XLSX de la synthèse", f"{base}export.xlsx"),
    ]
    from odl.culture import aggregates

    runs = [
        (label + suffix, url, cold)
        for label, url in cases
        for suffix, cold in (("", False), (" (à froid)", True))
    ]
    for label, url, cold in runs:
        client.get(url)  # warm-up
        samples = []
        for _ in range(REQUESTS):
            if cold:
                aggregates.clear_cache()  # the figures as after a new response: everything recomputed
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        verdict = "objectif tenu" if p95 < 200 else "au-dessus de l'objectif de 200 ms"
        print(
            f"[{engine}] {label:<42} médiane {statistics.median(samples):6.1f} ms, "
            f"p95 {p95:6.1f} ms ({REQUESTS} requêtes) : {verdict}"
        )
    before = Response.objects.count()
    stored, errors, elapsed = concurrent_answers(campaign)
    added = Response.objects.count() - before
    print(
        f"[{engine}] {CONCURRENT} réponses envoyées en même temps : {stored} acceptées, {len(errors)} erreurs, "
        f"{added} enregistrées, en {elapsed:.1f} s"
    )
    for error in errors[:5]:
        print(f"[{engine}]   {error}")
    if errors or added != CONCURRENT:
        sys.exit(1)


def main() -> None:
    database.engines_main("bench.culture_aggregates", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
