"""Observatory measurement benchmarks: all indicators of every perimeter, and the national map page.

    .venv/bin/python -m bench.observatory_measure              # SQLite, then PostgreSQL if reachable
    .venv/bin/python -m bench.observatory_measure --sqlite-only

Each engine gets a fresh database (a temporary SQLite file; an ``odl_measure_bench`` PostgreSQL
database dropped and recreated) with the full référentiel (``load_referentiel``), OpenDataFrance's
2021 edition when ../shared is present, and a synthetic harvested population built as follows
(seeded, so every run builds the same one):

- one national source (data.gouv.fr) and one local portal per région, with the technologies ODF
  counts most often (Opendatasoft, CKAN, ArcGIS, GeoNetwork, MGDIS, Spécifique);
- open rates per kind close to ODF's 2021 figures: régions 90 %, départements 60 %, EPCI 14 %,
  communes over 3,500 inhabitants 12 %, smaller communes 0.6 %;
- per open collectivité a heavy-tailed number of datasets (Pareto, 4 to 1,500, three times more for
  régions, départements and places over 50,000 inhabitants), on
  data.gouv.fr (55 %), the local portal (30 %) or both (15 %); for those on both, 15 % of the
  data.gouv.fr copies are the local portal's datasets harvested again and marked as duplicates;
  3 % of datasets are archived; 8 % carry a SCDL schema;
- 5 % of publishers wait for review (not counted), 2 % publish "pour le compte de" a commune.

Figures: wall-clock on this machine. Nothing here is asserted by tests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.tools.database import django_on, run_engines

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("ODL_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_measure_bench")
SHARED = Path(os.environ.get("ODL_SHARED_DATA", REPO.parent / "shared" / "data"))
TECHNOLOGIES = ["Opendatasoft", "CKAN", "ArcGIS", "GeoNetwork", "MGDIS Open Data", "Spécifique"]
SCHEMAS = [
    "scdl/deliberations",
    "scdl/subventions",
    "scdl/marches-publics",
    "scdl/equipements",
    "scdl/budget",
]
OPEN_RATES = {"region": 0.9, "departement": 0.6, "epci": 0.14}


def build_population(seed: int = 2026) -> dict[str, int]:
    from django.utils import timezone

    from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
    from odl.territories.models import Territory

    rng = random.Random(seed)
    now = timezone.now()
    national = HarvestSource.objects.create(
        name="data.gouv.fr", kind="datagouv", url="https://www.data.gouv.fr", technology="data.gouv.fr"
    )
    regions = list(Territory.objects.filter(kind="region", active=True).values_list("code", flat=True))
    local = {
        code: HarvestSource.objects.create(
            name=f"Portail régional {code}",
            kind="opendatasoft",
            url=f"https://data-{code}.example.org",
            technology=TECHNOLOGIES[index % len(TECHNOLOGIES)],
        )
        for index, code in enumerate(regions)
    }
    communes = list(Territory.objects.filter(kind="commune", active=True).values_list("id", flat=True))
    publishers: list[Publisher] = []
    plans: list[tuple[int, int, bool, bool]] = []
    for t in Territory.objects.collectivites().values("id", "kind", "code", "population", "region_code"):
        pop = t["population"] or 0
        rate = OPEN_RATES.get(t["kind"], 0.12 if pop > 3500 else 0.006)
        if rng.random() >= rate:
            continue
        size = int(
            rng.paretovariate(1.1) * (12 if pop > 50000 or t["kind"] in ("region", "departement") else 4)
        )
        size = min(size, 1500)
        where = rng.random()
        on_dg, on_local = where < 0.55 or where >= 0.85, where >= 0.55
        status = "pending" if rng.random() < 0.05 else rng.choice(["auto", "auto", "accepted"])
        behalf = rng.choice(communes) if rng.random() < 0.02 else None
        source = local.get(t["region_code"], national)
        for src, present in ((national, on_dg), (source, on_local)):
            if present:
                publishers.append(
                    Publisher(
                        source=src,
                        remote_id=f"{t['kind']}-{t['code']}-{src.pk}",
                        name=f"Organisation {t['code']}",
                        territory_id=t["id"],
                        on_behalf_of_id=behalf,
                        match_status=status,
                        match_method="siren",
                    )
                )
                plans.append((len(publishers) - 1, size, src is national, on_dg and on_local))
    Publisher.objects.bulk_create(publishers, batch_size=2000)
    datasets: list[HarvestedDataset] = []
    duplicates: list[tuple[int, int]] = []
    for index, size, is_national, both in plans:
        publisher = publishers[index]
        for n in range(size):
            archived = now if rng.random() < 0.03 else None
            schemas = [rng.choice(SCHEMAS)] if rng.random() < 0.08 else []
            datasets.append(
                HarvestedDataset(
                    source_id=publisher.source_id,
                    publisher=publisher,
                    remote_id=f"{publisher.remote_id}-{n}",
                    title=f"Jeu {n} de {publisher.name}",
                    schemas=schemas,
                    dedup_key=f"{publisher.territory_id}-{n}",
                    archived_at=archived,
                )
            )
            if both and is_national and rng.random() < 0.15:
                duplicates.append((len(datasets) - 1, n))
    HarvestedDataset.objects.bulk_create(datasets, batch_size=2000)
    # The copy harvested through data.gouv.fr points at the local portal's original.
    originals = {
        (d.publisher.territory_id, d.dedup_key): d.pk
        for d in datasets
        if not d.publisher.source_id == national.pk
    }
    to_update = []
    for position, _ in duplicates:
        copy = datasets[position]
        original = originals.get((copy.publisher.territory_id, copy.dedup_key))
        if original:
            copy.duplicate_of_id = original
            to_update.append(copy)
    HarvestedDataset.objects.bulk_update(to_update, ["duplicate_of"], batch_size=2000)
    return {"publishers": len(publishers), "datasets": len(datasets), "duplicates": len(to_update)}


def run_engine(database_url: str, data_dir: str, map_bench: bool) -> None:
    engine = django_on(database_url, data_dir)
    from odl.observatory.history import take_snapshot
    from odl.observatory.indicators import measure, measure_all
    from odl.observatory.odf_import import import_edition
    from odl.territories.loader import load_referentiel
    from odl.territories.models import Territory
    from odl.territories.targeting import build_criteria

    load_referentiel()
    odf = SHARED / "observatoire" / "ODF-Observatoire-organisations-221019.csv"
    if odf.is_file():
        start = time.perf_counter()
        report = import_edition(odf, 2021)
        print(
            f"[{engine}] import de l'édition ODF 2021 ({report.rows} organisations) : {time.perf_counter() - start:.2f} s"
        )
    start = time.perf_counter()
    counts = build_population()
    print(
        f"[{engine}] population moissonnée synthétique : {counts['publishers']} éditeurs, {counts['datasets']} jeux "
        f"dont {counts['duplicates']} doublons ({time.perf_counter() - start:.1f} s pour la construire)"
    )
    start = time.perf_counter()
    snapshot = take_snapshot()
    print(
        f"[{engine}] take_snapshot() : {time.perf_counter() - start:.2f} s "
        f"({snapshot.report['open']} collectivités ouvertes, {snapshot.report['datasets']} jeux dédoublonnés)"
    )
    rule = build_criteria().rule
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        figures = measure_all(snapshot, rule)
        samples.append(time.perf_counter() - start)
    kinds = {"R": 0, "D": 0, "E": 0}
    for key in figures:
        if key != "FR":
            kinds[key[0]] += 1
    print(
        f"[{engine}] tous les indicateurs de tous les périmètres ({len(figures)} : France, {kinds['R']} régions, "
        f"{kinds['D']} départements, {kinds['E']} EPCI) : médiane {statistics.median(samples):.2f} s, "
        f"max {max(samples):.2f} s (5 passes) — objectif < 5 s"
    )
    # The alternative: one perimeter at a time, as a page does (sampled on the régions, extrapolated).
    regions = list(Territory.objects.filter(kind="region", active=True).values_list("code", flat=True))
    start = time.perf_counter()
    for code in regions:
        measure(build_criteria(regions=[code]), snapshot)
    per = (time.perf_counter() - start) / len(regions)
    print(
        f"[{engine}] à titre de comparaison, un périmètre à la fois : {per * 1000:.0f} ms par région, soit "
        f"~{per * len(figures):.0f} s extrapolés pour les {len(figures)} périmètres "
        f"(x{per * len(figures) / statistics.median(samples):.0f})"
    )
    if map_bench:
        bench_map(engine, database_url, data_dir)


def bench_map(engine: str, database_url: str, data_dir: str) -> None:
    chromium = os.environ.get("ODL_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        print(f"[{engine}] carte : Chromium absent ({chromium}), mesure non faite")
        return
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "ODL_DATA_DIR": data_dir, "DJANGO_DEBUG": "0"}
    server = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "odl"), "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        from playwright.sync_api import sync_playwright

        from tests.browser import CHROMIUM_ARGS

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for label in ("premier chargement après le démarrage du serveur", "chargement suivant"):
                context = browser.new_context()
                page = context.new_page()
                sizes: list[int] = []
                outside: list[str] = []

                def on_response(
                    response: Any, sizes: list[int] = sizes, outside: list[str] = outside
                ) -> None:
                    if not response.url.startswith(f"http://127.0.0.1:{port}"):
                        outside.append(response.url)
                    try:
                        sizes.append(len(response.body()))
                    except Exception:  # redirects have no body
                        pass

                page.on("response", on_response)
                start = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/observatoire/carte/")
                page.wait_for_selector("#observatory-map[data-ready='departement']", timeout=60000)
                usable = time.perf_counter() - start
                page.wait_for_load_state("networkidle")
                print(
                    f"[{engine}] carte nationale, {label} : utilisable en {usable:.2f} s, "
                    f"{len(sizes)} ressources, {sum(sizes) / 1024:.0f} Ko décompressés "
                    f"(objectifs < 2 s, < 3 Mo){' — requêtes externes : ' + str(outside) if outside else ''}"
                )
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-only", action="store_true", help="ne pas mesurer PostgreSQL")
    parser.add_argument("--no-map", action="store_true", help="ne pas mesurer la page de carte")
    parser.add_argument("--engine-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_url:
        run_engine(args.engine_url, args.data_dir, not args.no_map)
        return
    extra = ["--no-map"] if args.no_map else []
    run_engines("bench.observatory_measure", PG_URL, sqlite_only=args.sqlite_only, extra=extra)


if __name__ == "__main__":
    main()
