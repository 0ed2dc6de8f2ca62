"""Benchmark: our validator against validata-table, side by side, on the same generated files.

Run:  .venv/bin/python bench/validate_vs_validata.py            (1M rows each, 10M streaming, web page)
      .venv/bin/python bench/validate_vs_validata.py --rows 100000 --big-rows 0 --no-web   (quick)
      .venv/bin/python bench/validate_vs_validata.py --cases startup,subventions-propre --big-rows 0 --no-web

Each tool runs in its own child process; wall time comes from the clock and peak memory from the
child's own rusage (os.wait4), so one tool's memory never counts for the other. Files are generated
with 1 % invalid rows (dates JJ/MM/AAAA, decimal commas, bad SIRET, enum case, empty required cells,
broken vote counts…) and validated with no cap on the error count on either side; « subventions-propre »
is the same subventions file without a single error (the case where start-up and the fast path count
most). The error sets are compared with the same normalisation as the parity test. « startup » times
both tools on a 30-row file (median of --startup-runs runs): what a person waits for on a small file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.tools.database import django_on

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
VALIDATA_PYTHON = Path(os.environ.get("ODL_VALIDATA_PYTHON", REPO / ".venv-validata" / "bin" / "python"))
SCHEMAS = {
    "subventions": Path("scdl/subventions/schema.json"),
    "deliberations": Path("scdl/deliberations/schema.json"),
}


def run_child(command: list[str], stdout_path: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak resident memory in MB, exit code of one child process."""
    out = stdout_path.open("wb") if stdout_path else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if stdout_path:
        out.close()  # type: ignore[union-attr]
    if process.returncode not in (0, 1):
        err = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise SystemExit(f"échec de {' '.join(command[:3])}… : {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def _write_csv(
    path: Path,
    header: list[str],
    good: list[str],
    rows: int,
    vary: Callable[[list[str], int], None],
    faults: list[dict[int, str]],
) -> None:
    """``rows`` copies of a valid row, varied by ``vary``; every 100th row (the 50th of each hundred)
    carries one of ``faults`` in turn (column → wrong value), so both tools have errors to find."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            row = list(good)
            vary(row, i)
            if faults and i % 100 == 50:
                for column, value in faults[(i // 100) % len(faults)].items():
                    row[column] = value
            writer.writerow(row)


def generate_subventions(path: Path, rows: int, clean: bool = False) -> None:
    from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

    def vary(row: list[str], i: int) -> None:
        row[3] = f"DEL-{i}"
        row[7] = f"Subvention n° {i}, fonctionnement" if i % 20 == 0 else f"Subvention {i}"
        row[8] = f"{(i % 50000) + 100}.{i % 100:02d}"

    faults = [
        {2: "12/03/2024"},
        {8: "1 234,50"},
        {1: "21350238800018"},
        {9: "Aide en numéraire"},
        {4: ""},
        {5: "", 6: ""},
    ]
    _write_csv(path, SUB_HEADER, SUB_GOOD, rows, vary, [] if clean else faults)


def generate_clean_subventions(path: Path, rows: int) -> None:
    generate_subventions(path, rows, clean=True)


def generate_deliberations(path: Path, rows: int) -> None:
    from tests.schemas.corpus import DELIB_GOOD, DELIB_HEADER

    def vary(row: list[str], i: int) -> None:
        row[2] = f"DEL-{i}"
        row[6] = f"Objet de la délibération {i}, avec une virgule" if i % 20 == 0 else f"Objet {i}"

    faults = [
        {3: "12/03/2024"},
        {7: "2024/2023"},
        {13: "30"},
        {5: "Finances / Budget"},
        {1: "21350238800018"},
        {11: ""},
    ]
    _write_csv(path, DELIB_HEADER, DELIB_GOOD, rows, vary, faults)


def ours_command(path: Path, schema: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "odl.cli",
        "validate",
        str(path),
        "--schema",
        schema,
        "--format",
        "json",
        "--no-progress",
        "--no-referentiel",
    ]


def compare(
    name: str, path: Path, shared: Path, work: Path, with_validata: bool, schema: str | None = None
) -> dict[str, object]:
    from tests.schemas.parity import ours_keys, validata_keys

    schema = schema or name
    ours_json = work / f"{name}.ours.json"
    t_ours, m_ours, _ = run_child(ours_command(path, schema), ours_json)
    report = json.loads(ours_json.read_text(encoding="utf-8"))
    result: dict[str, object] = {
        "fichier": name,
        "lignes": report["resume"]["lignes"],
        "erreurs_nous": report["resume"]["erreurs"],
        "t_nous": t_ours,
        "mem_nous": m_ours,
    }
    if with_validata:
        out = work / f"{name}.validata.json"
        t_val, m_val, _ = run_child(
            [
                str(VALIDATA_PYTHON),
                str(REPO / "bench" / "tools" / "validata_run.py"),
                str(shared / SCHEMAS[schema]),
                str(path),
                str(out),
            ]
        )
        theirs = validata_keys(json.loads(out.read_text(encoding="utf-8")))
        mine = ours_keys(report)
        result.update(
            t_validata=t_val,
            mem_validata=m_val,
            erreurs_validata=len(theirs),
            memes_erreurs=mine == theirs,
            seulement_nous=len(mine - theirs),
            seulement_validata=len(theirs - mine),
        )
    return result


def bench_startup(work: Path, shared: Path, with_validata: bool, runs: int) -> None:
    """A 30-row valid file: the median wall time of each tool, start-up included (CPU time too)."""
    import statistics

    path = work / "petit.csv"
    generate_clean_subventions(path, 30)
    commands = {"nous": ours_command(path, "subventions")}
    if with_validata:
        commands["validata-table"] = [
            str(VALIDATA_PYTHON),
            str(REPO / "bench" / "tools" / "validata_run.py"),
            str(shared / SCHEMAS["subventions"]),
            str(path),
            str(work / "petit.validata.json"),
        ]
    print(f"== démarrage : fichier de 30 lignes, médiane de {runs} lancements", flush=True)
    for who, command in commands.items():
        walls, cpus = [], []
        for _ in range(runs):
            before = os.times()
            walls.append(run_child(command)[0])
            after = os.times()
            cpus.append(
                after.children_user + after.children_system - before.children_user - before.children_system
            )
        print(
            f"   {who} : {statistics.median(walls):.2f} s (temps processeur {statistics.median(cpus):.2f} s)",
            flush=True,
        )


def bench_web(rows: int, work: Path) -> float:
    """Seconds for the validation page to answer a 10,000-row upload (POST then the report page)."""
    (work / "web").mkdir(exist_ok=True)
    django_on(data_dir=str(work / "web"))
    from django.test import Client

    path = work / "web-subventions.csv"
    generate_subventions(path, rows)
    client = Client()
    with path.open("rb") as handle:
        started = time.perf_counter()
        response = client.post("/validation/", {"file": handle, "schema": "auto"})
        page = client.get(response["Location"])
        elapsed = time.perf_counter() - started
    assert page.status_code == 200
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="lignes des fichiers comparés")
    parser.add_argument(
        "--big-rows", type=int, default=10_000_000, help="lignes du fichier en flux (0 pour passer)"
    )
    parser.add_argument("--web-rows", type=int, default=10_000, help="lignes du fichier envoyé à la page web")
    parser.add_argument("--no-web", action="store_true", help="sans la mesure de la page web")
    parser.add_argument("--no-validata", action="store_true", help="sans validata-table")
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"), help="données de référence")
    parser.add_argument(
        "--workdir", default=None, help="dossier des fichiers générés (temporaire par défaut)"
    )
    parser.add_argument(
        "--cases",
        default="startup,subventions,deliberations,subventions-propre",
        help="cas mesurés, séparés par des virgules",
    )
    parser.add_argument("--startup-runs", type=int, default=5, help="lancements pour le cas « startup »")
    args = parser.parse_args()
    cases = set(args.cases.split(","))
    with_validata = not args.no_validata and VALIDATA_PYTHON.exists()
    if not with_validata and not args.no_validata:
        print(
            f"validata-table absent ({VALIDATA_PYTHON}) : lancez « make validata ». Mesure de notre côté seulement."
        )
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        results = []
        if "startup" in cases:
            bench_startup(work, Path(args.shared), with_validata, args.startup_runs)
        for name, generate, schema in (
            ("subventions", generate_subventions, "subventions"),
            ("deliberations", generate_deliberations, "deliberations"),
            ("subventions-propre", generate_clean_subventions, "subventions"),
        ):
            if name not in cases:
                continue
            path = work / f"{name}.csv"
            generate(path, args.rows)
            print(
                f"== {name} : {args.rows:,} lignes, {path.stat().st_size / 1e6:.0f} Mo".replace(",", " "),
                flush=True,
            )
            r = compare(name, path, Path(args.shared), work, with_validata, schema)
            results.append(r)
            line = f"   nous : {r['t_nous']:.2f} s, {r['mem_nous']:.0f} Mo de pointe, {r['erreurs_nous']} erreurs"
            print(line, flush=True)
            if with_validata:
                print(
                    f"   validata-table : {r['t_validata']:.1f} s, {r['mem_validata']:.0f} Mo de pointe, "
                    f"{r['erreurs_validata']} erreurs distinctes (ligne, colonne, type)"
                )
                print(
                    f"   débit : {r['t_validata'] / r['t_nous']:.1f} × celui de validata-table ; "  # type: ignore[operator]
                    f"mémoire : {r['mem_nous'] / r['mem_validata']:.2f} × ; "  # type: ignore[operator]
                    f"mêmes erreurs : {'oui' if r['memes_erreurs'] else 'NON'} "
                    f"(seulement nous {r['seulement_nous']}, seulement validata {r['seulement_validata']})",
                    flush=True,
                )
        if args.big_rows:
            path = work / "subventions-big.csv"
            generate_subventions(path, args.big_rows)
            size = path.stat().st_size
            t, m, _ = run_child(
                ours_command(path, "subventions") + ["--max-errors", "1000"], work / "big.json"
            )
            print(
                f"== flux : {args.big_rows:,} lignes, {size / 1e9:.2f} Go : {t:.1f} s, {m:.0f} Mo de pointe "
                f"({size / 1e6 / t:.0f} Mo/s ; mémoire = {m * 1e6 / size * 100:.1f} % de la taille du fichier)".replace(
                    ",", " "
                ),
                flush=True,
            )
        if not args.no_web:
            seconds = bench_web(args.web_rows, work)
            print(
                f"== page web : {args.web_rows:,} lignes envoyées, rapport affiché en {seconds:.2f} s".replace(
                    ",", " "
                )
            )


if __name__ == "__main__":
    main()
