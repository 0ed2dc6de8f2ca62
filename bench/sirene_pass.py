"""How long a whole-France pass of ``odl import_agents --from-sirene`` takes at the API's allowed rate.

    .venv/bin/python -m bench.sirene_pass               # 500 requests to a loopback replay of the API
    .venv/bin/python -m bench.sirene_pass --requests 2000

No request leaves the machine: a local server answers the Annuaire des entreprises' /search payload
shape at once. What is measured is our own cost per territory (the request over loopback, reading the
JSON, writing the band), with the rate limit off. The whole-France figure is then computed, not
measured: the pass is sequential and the API allows 7 requests a second, so each territory takes
max(1/7 s, our cost + the API's own latency); the API's latency cannot be measured here (no network),
so the figure is the floor the rate limit sets, and it holds as long as that latency stays under
1/7 s minus our cost. The number of territories comes from the référentiel package (communes and EPCI
above 3,500 inhabitants, those whose agent count decides).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.tools.database import django_on

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
# When the package is absent: the count measured from its 2025 edition (3,252 communes, 1,255 EPCI).
FALLBACK_TERRITORIES = 4507


def france_territories(threshold: int) -> tuple[int, str]:
    try:
        communes = json.loads((DATA / "communes.json").read_text(encoding="utf-8"))
        epcis = json.loads((DATA / "epci.json").read_text(encoding="utf-8"))
    except OSError:
        return FALLBACK_TERRITORIES, "compte de référence (paquet npm absent)"
    n_communes = sum(
        1
        for c in communes
        if c.get("type") == "commune-actuelle" and c.get("siren") and (c.get("population") or 0) > threshold
    )
    n_epcis = sum(1 for e in epcis if (e.get("populationMunicipale") or 0) > threshold)
    return n_communes + n_epcis, f"{n_communes} communes et {n_epcis} EPCI du référentiel"


def serve() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            siren = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
            body = json.dumps(
                {
                    "results": [
                        {
                            "siren": siren,
                            "nom_complet": "COMMUNE",
                            "nature_juridique": "7210",
                            "tranche_effectif_salarie": "22",
                            "annee_tranche_effectif_salarie": "2023",
                            "siege": {"siret": siren + "00019", "est_siege": True},
                        }
                    ],
                    "total_results": 1,
                    "page": 1,
                    "per_page": 5,
                    "total_pages": 1,
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=500, help="territoires interrogés pour la mesure")
    args = parser.parse_args()
    django_on()
    from django.conf import settings

    from odl.territories.models import Kind, Territory
    from odl.territories.sirene import fetch_bands, to_ask

    Territory.objects.bulk_create(
        Territory(
            kind=Kind.COMMUNE, code=f"{i:05d}", siren=f"2{i:08d}", nom=f"Commune {i}", population=10_000
        )
        for i in range(args.requests)
    )
    server, base = serve()
    try:
        territories = list(to_ask(30))
        started = time.perf_counter()
        report = fetch_bands(territories, base_url=base, per_second=0)
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    assert report.found == args.requests
    cost = elapsed / args.requests
    rate = settings.ODL_SIRENE_REQUESTS_PER_SECOND
    floor = 1 / rate
    count, where = france_territories(settings.ODL_POPULATION_THRESHOLD)
    seconds = count * max(floor, cost)
    print(f"== Sirene, une requête par SIREN : {args.requests} requêtes sur un serveur local (boucle locale)")
    print(
        f"   notre coût par territoire : {cost * 1000:.1f} ms (requête, lecture du JSON, écriture de la tranche)"
    )
    print(f"   rythme permis par l'API : {rate} requêtes/s, soit {floor * 1000:.0f} ms par requête au moins")
    print(
        f"   France entière ({count} territoires : {where}) : {seconds / 60:.1f} min, calculé "
        f"= {count} × max({floor * 1000:.0f} ms, {cost * 1000:.1f} ms) ; valable tant que la latence de "
        f"l'API reste sous {max(floor - cost, 0) * 1000:.0f} ms (non mesurable ici, sans réseau)"
    )


if __name__ == "__main__":
    main()
