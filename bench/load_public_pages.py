"""The public pages under load: 50 clients at once on a real server, each target for 30 seconds.

    .venv/bin/python -m bench.load_public_pages                 # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.load_public_pages --sqlite-only --seconds 10

Each engine gets a throw-away database with the whole référentiel (``load_referentiel``, as
``make run`` does), the synthetic harvested population of ``bench.observatory_measure`` plus
3,000 datasets of the Région Bretagne on its own portal, and one snapshot of it. gunicorn then serves
it on loopback (2 workers of 4 threads, the machine's 2 cores; production runs 3 × 4), and a load
generator in this process keeps ``--clients`` requests in flight for ``--seconds`` on each target in
turn: the dashboard of France and of a région, the map page and its grid, the page of
the collectivité with 3,000 datasets, the ciblage of a région, and the France-wide ciblage and its XLSX
export. Goals: p99 under 300 ms with no error, under 1 s for the France-wide ciblage and its export.

Before measuring, each target is asked once and that first time is printed apart (« 1er appel »): it
is the computation a snapshot or a référentiel import costs once, after which the figures come from
the ``figures`` cache (odl/core/figures.py: files in the data folder here, Redis in production).
The rate limit of public pages (``ODL_RATELIMIT_PAGES``, 60 a minute per address) is switched off for
the server: every client here has the address 127.0.0.1. The load generator shares the 2 cores with
the server (and with whatever else runs on the machine, printed with its load): the figures are
pessimistic. It is therefore as light as it can be: each client holds one keep-alive HTTP/1.1
connection (asyncio streams) and reads the status line, the headers and the body (``Content-Length`` or
chunked), any status but 200 counting as an error; about 0.2 ms of CPU a request, where httpx took
about 6 ms (``--httpx`` uses httpx, to compare). Nothing here is asserted by tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.tools import database

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "ODL_BENCH_LOAD_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_load_public_pages_bench"
)
REGION = "53"  # Bretagne: its page carries the 3,000 datasets
DATASETS = 3000
FAST, SLOW = 300.0, 1000.0
TARGETS: list[tuple[str, str, float]] = [
    ("tableau de bord France", "/observatoire/", FAST),
    ("tableau de bord région", f"/observatoire/?region={REGION}", FAST),
    ("carte", "/observatoire/carte/", FAST),
    ("carte : grille", "/observatoire/carte/grille.json?niveau=departement", FAST),
    (f"collectivité ({DATASETS} jeux)", f"/collectivites/region/{REGION}/", FAST),
    ("ciblage région", f"/ciblage/?region={REGION}", FAST),
    ("ciblage France", "/ciblage/", SLOW),
    ("ciblage France XLSX", "/ciblage/export.xlsx", SLOW),
]


def populate() -> dict[str, int]:
    """The référentiel, the synthetic population, 3,000 datasets of one région and a snapshot."""

    from bench.observatory_measure import build_population
    from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
    from odl.observatory.history import take_snapshot
    from odl.territories.loader import load_referentiel
    from odl.territories.models import Territory

    load_referentiel()
    counts = build_population()
    region = Territory.objects.get(kind="region", code=REGION)
    source = HarvestSource.objects.create(
        name="Portail de la Région", kind="opendatasoft", url="https://data.region.example.org"
    )
    publisher = Publisher.objects.create(
        source=source,
        remote_id="region-53-own",
        name=region.nom,
        territory=region,
        match_status="auto",
        match_method="siren",
    )
    HarvestedDataset.objects.bulk_create(
        [
            HarvestedDataset(
                source=source,
                publisher=publisher,
                remote_id=f"region-{n}",
                title=f"Jeu régional {n}",
                url=f"https://data.region.example.org/explore/dataset/jeu-{n}/",
                schemas=["scdl/subventions"] if n % 10 == 0 else [],
                dedup_key=f"region-{n}",
            )
            for n in range(DATASETS)
        ],
        batch_size=1000,
    )
    snapshot = take_snapshot()
    counts["datasets"] += DATASETS
    counts["open"] = snapshot.report["open"]
    return counts


@dataclass
class Figures:
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(int(len(ordered) * share) - 1, 0))] if ordered else 0.0


async def fetch(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bool]:
    """Send ``request`` and read one answer: (status, whether the server closes the connection)."""
    writer.write(request)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connexion fermée par le serveur")
    status = int(status_line.split(b" ", 2)[1])
    length: int | None = None
    chunked = close = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        close = True
    return status, close


async def hammer(base: str, path: str, clients: int, seconds: float) -> Figures:
    """``clients`` loops, each asking ``path`` again as soon as its answer is read, for ``seconds``.

    Each client holds one keep-alive HTTP/1.1 connection (asyncio streams) and reads the status line,
    the headers and the body (``Content-Length`` or chunked); anything but a 200 counts as an error."""
    host, port = base.removeprefix("http://").split(":")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: odl-bench\r\n\r\n".encode()
    figures = Figures()
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        reader = writer = None
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, int(port))
                assert reader is not None
                status, close = await fetch(reader, writer, request)
                if status != 200:
                    figures.errors.append(f"HTTP {status}")
                if close:
                    writer.close()
                    reader = writer = None
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                figures.errors.append(repr(exc))
                if writer is not None:
                    writer.close()
                reader = writer = None
            figures.times.append((time.perf_counter() - start) * 1000)
        if writer is not None:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    figures.elapsed = time.perf_counter() - start
    return figures


async def hammer_httpx(base: str, path: str, clients: int, seconds: float) -> Figures:
    """The same with httpx (``--httpx``): heavier on the shared cores, kept to compare."""
    import httpx

    figures = Figures()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    response = await client.get(path)
                    await response.aread()
                    if response.status_code != 200:
                        figures.errors.append(f"HTTP {response.status_code}")
                except httpx.HTTPError as exc:
                    figures.errors.append(repr(exc))
                figures.times.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        figures.elapsed = time.perf_counter() - start
    return figures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def start_server(database_url: str, data_dir: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ODL_DATA_DIR": data_dir,
        "DJANGO_DEBUG": "0",
        "ODL_RATELIMIT_ENABLE": "0",
    }
    command = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        "odl.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--timeout",
        "300",
        "--backlog",
        "512",
        # Clients reuse their connection: gunicorn's 2 s default closes it under them as they send.
        "--keep-alive",
        "30",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"gunicorn s'est arrêté au démarrage :\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn n'a pas répondu en 30 s")


def run_engine(
    database_url: str, data_dir: str, clients: int, seconds: float, use_httpx: bool = False
) -> None:
    generator = hammer_httpx if use_httpx else hammer
    engine = database.django_on(database_url, data_dir)
    import httpx
    from django.db import connection, connections

    start = time.perf_counter()
    counts = populate()
    database.analyze()
    if connection.vendor == "sqlite":
        # Statistics for SQLite's planner too (database.analyze() gives them to PostgreSQL only): without
        # them it scans all 30,000 datasets to count one publisher's.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connections.close_all()
    print(
        f"[{engine}] base : référentiel complet, {counts['publishers']} éditeurs, {counts['datasets']} jeux "
        f"moissonnés, un instantané ({counts['open']} collectivités ouvertes) — construite en "
        f"{time.perf_counter() - start:.0f} s",
        flush=True,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(data_dir) / "gunicorn.log"
    server = start_server(database_url, data_dir, port, log)
    failed = False
    try:
        first: dict[str, float] = {}
        with httpx.Client(base_url=base, timeout=120) as client:
            for label, path, _ in TARGETS:
                began = time.perf_counter()
                response = client.get(path)
                first[label] = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    sys.exit(f"[{engine}] {label} ({path}) : HTTP {response.status_code}")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"[{engine}] {clients} clients simultanés, {seconds:g} s par cible, gunicorn 2 × 4 fils ; "
            f"charge de la machine avant : {load}",
            flush=True,
        )
        header = (
            f"{'cible':<28} {'1er appel':>10} {'requêtes':>9} {'req/s':>7} {'erreurs':>8} "
            f"{'p50':>8} {'p95':>8} {'p99':>8} {'objectif p99':>13}"
        )
        print(f"[{engine}] {header}")
        for label, path, goal in TARGETS:
            figures = asyncio.run(generator(base, path, clients, seconds))
            p99 = percentile(figures.times, 0.99)
            held = p99 < goal and not figures.errors
            failed = failed or not held
            print(
                f"[{engine}] {label:<28} {first[label]:>8.0f} ms {len(figures.times):>9} "
                f"{len(figures.times) / figures.elapsed:>7.1f} {len(figures.errors):>8} "
                f"{percentile(figures.times, 0.50):>5.0f} ms {percentile(figures.times, 0.95):>5.0f} ms "
                f"{p99:>5.0f} ms {'< ' + format(goal, '.0f') + ' ms':>8} {'tenu' if held else 'MANQUÉ'}",
                flush=True,
            )
            for error in sorted(set(figures.errors))[:3]:
                print(f"[{engine}]     {error}")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"[{engine}] charge de la machine après : {load}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failed:
        print(f"[{engine}] au moins un objectif n'est pas tenu sur cette machine à cette charge")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite-only", action="store_true", help="ne pas mesurer PostgreSQL")
    parser.add_argument("--seconds", type=float, default=30.0, help="durée de charge par cible (30 s)")
    parser.add_argument("--clients", type=int, default=50, help="clients simultanés (50)")
    parser.add_argument("--httpx", action="store_true", help="générer la charge avec httpx (plus lourd)")
    parser.add_argument("--engine-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_url:
        run_engine(args.engine_url, args.data_dir, args.clients, args.seconds, args.httpx)
        return
    extra = [
        "--seconds",
        str(args.seconds),
        "--clients",
        str(args.clients),
        *(["--httpx"] if args.httpx else []),
    ]
    database.run_engines("bench.load_public_pages", PG_URL, sqlite_only=args.sqlite_only, extra=extra)


if __name__ == "__main__":
    main()
