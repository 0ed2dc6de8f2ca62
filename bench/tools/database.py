"""What every benchmark needs before measuring: a fresh database, Django set up on it, the engines in turn.

    engine = django_on(url, data_dir)     # in the measuring process: settings, django.setup(), migrate
    engines_main("bench.x", __doc__, PG_URL, run_engine)   # the command line: each engine in a child

Each engine runs in a child process (``--engine-url URL --data-dir DIR``) because Django's settings are
read once per process. SQLite gets a file in a temporary folder; PostgreSQL the database named in the
URL, dropped and recreated first (give each benchmark, and each person running one on a shared server,
its own name through the benchmark's environment variable).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def engine_name(database_url: str) -> str:
    return "PostgreSQL" if database_url.startswith("postgres") else "SQLite"


def django_on(database_url: str = "", data_dir: str = "") -> str:
    """Point Django at ``database_url`` (default: a fresh SQLite file), set it up and migrate it."""
    data_dir = data_dir or tempfile.mkdtemp(prefix="odl-bench-")
    database_url = database_url or f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    os.environ["ODL_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return engine_name(database_url)


def analyze() -> None:
    """A live PostgreSQL database has statistics (autovacuum); a fresh one would be planned on guesses."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def fresh_postgres(url: str) -> bool:
    """Drop and recreate the database named at the end of ``url``; False (and why) when unreachable."""
    server, name = url.rsplit("/", 1)
    try:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"PostgreSQL indisponible ({exc}) : mesures SQLite seulement.")
        return False


def run_engines(module: str, pg_url: str, *, sqlite_only: bool, extra: Sequence[str] = ()) -> None:
    """Run ``python -m module --engine-url … --data-dir …`` on SQLite, then on PostgreSQL if reachable."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Machine : {os.cpu_count()} cœurs, charge {load} ; Python {sys.version.split()[0]}", flush=True)
    urls = ["sqlite"]
    if not sqlite_only and fresh_postgres(pg_url):
        urls.append(pg_url)
    for url in urls:
        with tempfile.TemporaryDirectory(prefix="odl-bench-") as tmp:
            if url == "sqlite":
                url = f"sqlite:///{tmp}/bench.sqlite3"
            command = [sys.executable, "-m", module, "--engine-url", url, "--data-dir", tmp, *extra]
            subprocess.run(command, cwd=REPO, check=True)


def engines_main(module: str, doc: str | None, pg_url: str, run_engine: Callable[[str, str], None]) -> None:
    """The command line of a benchmark measured on each engine: ``[--sqlite-only]``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-only", action="store_true", help="ne pas mesurer PostgreSQL")
    args = parser.parse_args()
    if args.engine_url:
        run_engine(args.engine_url, args.data_dir)
    else:
        run_engines(module, pg_url, sqlite_only=args.sqlite_only)


def p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def summary(samples: Sequence[float]) -> str:
    """« médiane … ms, p95 … ms » of samples in milliseconds."""
    return f"médiane {statistics.median(samples):6.1f} ms, p95 {p95(samples):6.1f} ms"
