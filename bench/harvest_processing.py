"""Benchmark: processing 100,000 harvested datasets (store, match publishers, deduplicate).

Run:  .venv/bin/python bench/harvest_processing.py [--count 100000] [--database-url URL]

The items are built by scaling the real payloads of ../shared/data/harvest through the real harvesters'
parsing code (data.gouv.fr, CKAN, Opendatasoft, DCAT), with publishers named after real collectivités of
the référentiel (npm package) so that matching does its real work, and one data.gouv.fr copy in ten of a
local portal's dataset so that deduplication does too. HTTP is not part of this figure.
Goal (issue 4): under 60 s and under 1 GB on this machine.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.tools.database import django_on  # noqa: E402 - run as a script, the repository is on the path above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="number of harvested datasets")
    parser.add_argument(
        "--database-url", default="", help="default: a fresh SQLite file in a temporary folder"
    )
    parser.add_argument(
        "--shared", default=str(REPO.parent / "shared" / "data"), help="reference data folder"
    )
    parser.add_argument("--profile", action="store_true", help="print where the first pass spends its time")
    args = parser.parse_args()

    django_on(args.database_url)
    from django.conf import settings

    from odl.harvest.harvesters.ckan import CkanHarvester
    from odl.harvest.harvesters.datagouv import item_from_dataset, publisher_from_organization
    from odl.harvest.harvesters.dcat import items_from_graph
    from odl.harvest.harvesters.items import HarvestedItem, PublisherRef
    from odl.harvest.harvesters.opendatasoft import OpendatasoftHarvester
    from odl.harvest.harvesters.runner import deduplicate, store
    from odl.harvest.matching import ReferentielIndex
    from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
    from odl.territories.loader import load_referentiel
    from odl.territories.models import Territory

    harvest = Path(args.shared) / "harvest"
    referentiel = Path(settings.NODE_MODULES_DIR) / "@etalab" / "decoupage-administratif" / "data"
    load_referentiel(referentiel)
    communes = list(Territory.objects.filter(kind="commune").values_list("nom", "siren", "code")[:20000])
    print(f"référentiel : {Territory.objects.count()} territoires chargés ({referentiel})")

    # Templates: the real payloads through the real parsing code.
    bundles = json.loads((harvest / "datagouv/udata-fixtures-results.json").read_text())["datasets"]
    dg_templates = [
        item_from_dataset(
            {**b["dataset"], "resources": b["resources"]}, publisher_from_organization(b["organization"])
        )
        for b in bundles
    ]
    ckan = CkanHarvester("https://portail.example.fr")
    packages = json.loads((harvest / "ckan/demo.ckan.org-package_search.json").read_text())["result"][
        "results"
    ]
    ckan_templates = [ckan.item(p) for p in packages]
    ods = OpendatasoftHarvester("https://ods.example.fr")
    ods_results = json.loads(
        (harvest / "opendatasoft/explore-v2.1-catalog-datasets.example.json").read_text()
    )["results"]
    ods_templates = [ods.item(r) for r in ods_results]
    from rdflib import Graph

    graph = Graph()
    graph.parse(harvest / "dcat/udata-tests/catalog.xml", format="xml")
    dcat_templates = items_from_graph(graph).items

    def publisher_for(n: int) -> PublisherRef:
        nom, siren, code = communes[n % len(communes)]
        flavour = n % 10
        if flavour < 5:  # a name only: matched by name
            return PublisherRef(remote_id=f"name:{code}", name=f"Ville de {nom}")
        if flavour < 8:  # a declared SIRET: matched by SIREN
            return PublisherRef(
                remote_id=f"org:{code}", name=f"Commune de {nom}", business_number=f"{siren}00018"
            )
        return PublisherRef(remote_id=f"other:{n % 3000}", name=f"Association numéro {n % 3000}")

    def scaled(template: HarvestedItem, n: int, kind: str) -> HarvestedItem:
        item = copy.copy(template)
        item.remote_id = f"{template.remote_id}-{n}"
        item.title = f"{template.title} n° {n}"
        item.publisher = publisher_for(n // 7)
        item.own_key = f"{kind}:{item.remote_id}"
        item.origin_key = ""
        return item

    count = args.count
    per_local = count // 10
    plan = {
        "ckan": (ckan_templates, per_local * 2),
        "opendatasoft": (ods_templates, per_local * 2),
        "dcat": (dcat_templates, per_local),
    }
    local_items: dict[str, list[HarvestedItem]] = {}
    for kind, (templates, size) in plan.items():
        local_items[kind] = [scaled(templates[n % len(templates)], n, kind) for n in range(size)]
    national_size = count - sum(len(v) for v in local_items.values())
    national = [scaled(dg_templates[n % len(dg_templates)], n, "datagouv") for n in range(national_size)]
    # One national record in ten is data.gouv.fr's copy of a local portal's dataset.
    ckan_items = local_items["ckan"]
    for n in range(0, min(len(national), len(ckan_items) * 10), 10):
        national[n].origin_key = ckan_items[n // 10].own_key
    sources = {
        kind: HarvestSource.objects.create(name=f"bench {kind}", kind=kind, url=f"https://{kind}.example.fr")
        for kind in ("datagouv", "ckan", "opendatasoft", "dcat")
    }
    batches = [("datagouv", national), *local_items.items()]
    total = sum(len(items) for _k, items in batches)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    cpu_started = time.process_time()
    index = ReferentielIndex()
    index_seconds = time.perf_counter() - started
    for kind, items in batches:
        store(sources[kind], items, index=index)
    store_seconds = time.perf_counter() - started
    deduplicate()
    first_seconds = time.perf_counter() - started
    first_cpu = time.process_time() - cpu_started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    again = time.perf_counter()
    cpu_again = time.process_time()
    updated = 0
    for kind, items in batches:
        updated += store(sources[kind], items, index=index).updated
    deduplicate()
    second_seconds = time.perf_counter() - again
    second_cpu = time.process_time() - cpu_again
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    statuses = dict(
        (status, Publisher.objects.filter(match_status=status).count())
        for status in Publisher.objects.values_list("match_status", flat=True).distinct()
    )
    duplicates = HarvestedDataset.objects.filter(duplicate_of__isnull=False).count()
    print(f"base : {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(
        f"jeux traités : {total} ({len(batches)} sources), éditeurs : {Publisher.objects.count()} {statuses}"
    )
    print(
        f"doublons détectés : {duplicates} (attendus : {min(len(national) // 10 + (len(national) % 10 > 0), len(ckan_items))})"
    )
    print(f"index du référentiel : {index_seconds:.1f} s")
    print(
        f"premier passage (stockage + rapprochement) : {store_seconds:.1f} s ; avec dédoublonnage : {first_seconds:.1f} s"
        f" (CPU de ce processus : {first_cpu:.1f} s)"
    )
    print(
        f"second passage, rien n'a changé : {second_seconds:.1f} s (CPU {second_cpu:.1f} s, {updated} jeux réécrits)"
    )
    print(f"charge de la machine (load average 1 min) : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    print(
        f"mémoire : pic {rss_peak:.0f} Mo (dont {rss_before:.0f} Mo avant le traitement : Django, référentiel, jeux en mémoire)"
    )
    print(
        f"objectif : < 60 s et < 1024 Mo → {'atteint' if first_seconds < 60 and rss_peak < 1024 else 'NON atteint'}"
    )


if __name__ == "__main__":
    main()
