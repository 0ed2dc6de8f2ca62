"""Publisher name matching on the whole référentiel: time, precision and recall on the real-name corpus.

    .venv/bin/python -m bench.publisher_matching              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.publisher_matching --sqlite-only

Loads the référentiel of the pinned npm package into a fresh database, builds the in-memory index the
harvest uses (one query), then matches the ~1,000 real publisher names of
``tests/harvest/fixtures/publisher_names.csv`` (10 passes, the cache of folded names cleared before
each) in their source's perimeter and nationally. The alternative is the naive join a spreadsheet would
do: the folded name equal to the folded name of exactly one collectivité of the perimeter. Times are
wall-clock on this machine; no test asserts them.
"""

from __future__ import annotations

import csv
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.tools import database

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "harvest" / "fixtures" / "publisher_names.csv"
PG_DATABASE = "odl_publisher_matching_bench"
PG_URL = os.environ.get(
    "ODL_BENCH_MATCHING_POSTGRES_URL", f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
)
PASSES = 10


def figures(answers: list[tuple[str, str | None]]) -> tuple[float, float]:
    """(precision, recall) of (expected SIREN or "none", SIREN auto-matched or None) pairs."""
    matched = [(expected, found) for expected, found in answers if found is not None]
    right = sum(1 for expected, found in matched if expected == found)
    expected_count = sum(1 for expected, _ in answers if expected != "none")
    return (right / len(matched) if matched else 1.0), (right / expected_count if expected_count else 1.0)


def run_engine(url: str, data_dir: str) -> None:
    engine = database.django_on(url, data_dir)
    from odl.core.text import fold
    from odl.harvest import matching, names
    from odl.territories.loader import load_referentiel

    started = time.perf_counter()
    load_referentiel()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    index = matching.ReferentielIndex()
    built = time.perf_counter() - started
    database.analyze()

    with CORPUS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    def perimeter_of(row: dict[str, str], local: bool) -> Any:
        if not local or not row["perimetre"]:
            return None
        kind, code = row["perimetre"].split(":")
        return index.by_kind_code[(kind, code)]

    def ours(local: bool) -> tuple[float, list[tuple[str, str | None]]]:
        best = float("inf")
        answers: list[tuple[str, str | None]] = []
        for _ in range(PASSES):
            names.name_of.cache_clear()
            answers = []
            started = time.perf_counter()
            for row in rows:
                result = matching.match(row["nom"], "", {}, index, perimeter_of(row, local))
                found = index.by_id[result.territory_id].siren if result.status == "auto" else None
                answers.append((row["siren_attendu"], found))
            best = min(best, time.perf_counter() - started)
        return best, answers

    exact: dict[str, list[matching.Row]] = defaultdict(list)
    for row in index.by_id.values():
        exact[fold(row.nom)].append(row)

    def naive(local: bool) -> tuple[float, list[tuple[str, str | None]]]:
        best = float("inf")
        answers: list[tuple[str, str | None]] = []
        for _ in range(PASSES):
            answers = []
            started = time.perf_counter()
            for row in rows:
                perimeter = perimeter_of(row, local)
                found = [
                    r
                    for r in exact.get(fold(row["nom"]), [])
                    if perimeter is None or index.inside(r, perimeter)
                ]
                answers.append((row["siren_attendu"], found[0].siren if len(found) == 1 else None))
            best = min(best, time.perf_counter() - started)
        return best, answers

    print(
        f"\n{engine} : référentiel chargé en {loaded:.1f} s, index de {len(index.by_id)} collectivités en {built:.2f} s"
    )
    print(f"  corpus : {len(rows)} noms réels, meilleur de {PASSES} passages")
    for local in (True, False):
        where = "dans le périmètre de la source" if local else "sans périmètre (source nationale)"
        our_time, our_answers = ours(local)
        naive_time, naive_answers = naive(local)
        precision, recall = figures(our_answers)
        naive_precision, naive_recall = figures(naive_answers)
        per_name = our_time / len(rows) * 1_000_000
        print(
            f"  {where} : {our_time * 1000:.0f} ms ({per_name:.0f} µs par nom), précision {precision:.2%}, "
            f"rappel {recall:.2%}"
        )
        print(
            f"    jointure exacte sur le nom : {naive_time * 1000:.0f} ms, précision {naive_precision:.2%}, "
            f"rappel {naive_recall:.2%} ; temps ×{our_time / naive_time:.1f}, "
            f"rappel ×{recall / naive_recall if naive_recall else float('inf'):.2f}"
        )


if __name__ == "__main__":
    database.engines_main("bench.publisher_matching", __doc__, PG_URL, run_engine)
