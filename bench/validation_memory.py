"""Peak memory of a web validation: a ~90 MB CSV whose dates all get safe fixes, sent to POST /api/validate.

    .venv/bin/python -m bench.validation_memory              # 90 MB
    .venv/bin/python -m bench.validation_memory --mb 30

A real server (gunicorn, one sync worker) runs in a child process on loopback with a fresh SQLite
database; the file is streamed to it from disk, so the client's memory does not count. The figure is
the worker's peak resident memory (VmHWM in /proc, read just before it stops), which includes the
Django process itself; the idle worker's figure is printed beside it.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADER = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]


def write_file(path: Path, megabytes: int) -> int:
    """Subventions rows with French dates (JJ/MM/AAAA) and decimal commas: every row gets safe fixes."""
    target = megabytes * 1024 * 1024
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        while handle.tell() < target:
            day, month = rows % 28 + 1, rows % 12 + 1
            writer.writerow(
                [
                    "Ville de Rennes",
                    "21350238800019",
                    f"{day:02d}/{month:02d}/2024",
                    f"DEL-2024-{rows}",
                    f"Association n° {rows}",
                    "44088714900019",
                    "",
                    "Fête de quartier et animations de l'été",
                    f"{rows % 9000 + 100},50",
                    "aide en numéraire",
                    "Versement unique",
                    f"{month:02d}/{day:02d}/2024"
                    if month <= 12 and day <= 12
                    else f"{day:02d}/{month:02d}/2024",
                    "",
                    "non",
                    "0,5",
                    "",
                ]
            )
            rows += 1
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("VmHWM absent de /proc")


def worker_pid(master: int) -> int:
    """gunicorn's one worker (the master listens before it forks it)."""
    for _ in range(300):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("le worker gunicorn n'a pas démarré")


def post_file(port: int, path: Path) -> tuple[int, dict[str, object], float]:
    boundary = "odlbenchboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="schema"\r\n\r\nsubventions\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    start = time.perf_counter()
    connection.putrequest("POST", "/api/validate")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    connection.send(head)
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return response.status, json.loads(body), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=90, help="taille du fichier généré (Mo)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "subventions-dates-fr.csv"
        rows = write_file(data, args.mb)
        size = data.stat().st_size
        print(
            f"Fichier : {size / 1024 / 1024:.1f} Mo, {rows:,} lignes, dates JJ/MM/AAAA et virgules décimales"
        )
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "ODL_DATA_DIR": str(folder / "var"),
            "ODL_VALIDATE_MAX_UPLOAD_MB": str(max(args.mb * 2, 100)),
            "DJANGO_SETTINGS_MODULE": "odl.settings",
        }
        odl = Path(sys.executable).parent / "odl"
        subprocess.run([str(odl), "migrate", "-v0"], cwd=REPO, env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "odl.wsgi:application",
                "--workers",
                "1",
                "--timeout",
                "1800",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=REPO,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            worker = worker_pid(server.pid)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/api/schemas")
            conn.getresponse().read()
            conn.close()
            idle = peak_kib(worker)
            status, report, elapsed = post_file(port, data)
            peak = peak_kib(worker)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        summary = report.get("resume", {}) if isinstance(report, dict) else {}
        print(
            f"Réponse {status} en {elapsed:.1f} s : {summary.get('lignes')} lignes, "
            f"{summary.get('erreurs')} erreurs, {report.get('corrections_total')} corrections "
            f"({len(report.get('corrections', []))} listées, {len(report.get('erreurs', []))} erreurs détaillées)"
        )
        print(f"Rapport renvoyé : {len(json.dumps(report)) / 1024:.0f} Kio")
        print(
            f"Mémoire du worker : {idle / 1024:.0f} Mo au repos, pic {peak / 1024:.0f} Mo pendant la validation"
        )


if __name__ == "__main__":
    main()
