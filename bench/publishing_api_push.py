"""The nightly push of a business application through the API (``POST /api/donnees/<id>/versions`` with a
personal token) against the same import called directly: what the HTTP layer, the token and the
multipart upload add to the web import's path.

    .venv/bin/python -m bench.publishing_api_push              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.publishing_api_push --sqlite-only

A 10,000-row messy workbook (bench.publishing_import's: title row, French labels, dates and decimal
commas), pushed twice each way, the second time with 1 % of the amounts changed (a diff against the
previous version). Wall-clock times on this machine, printed with the machine's load; no test asserts them.
"""

from __future__ import annotations

import os
import time

from bench.publishing_import import workbook
from bench.tools import database

PG_URL = os.environ.get(
    "ODL_BENCH_PUBLISHING_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_publishing_bench"
)
ROWS = 10_000


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from odl.accounts.models import ApiToken, EtdAgent
    from odl.atds.models import Atd
    from odl.programme.models import Etd
    from odl.publishing import services
    from odl.publishing.models import Dataset
    from odl.territories.models import Territory

    settings.ALLOWED_HOSTS = ["*"]
    settings.RATELIMIT_ENABLE = False
    rennes = Territory.objects.create(kind="commune", code="35238", nom="Rennes", siren="213502388")
    atd = Atd.objects.create(name="ATD Ille-et-Vilaine", kind="departement")
    etd = Etd.objects.create(atd=atd, territory=rennes)
    user = get_user_model().objects.create_user("agent")
    EtdAgent.objects.create(user=user, territory=rennes, atd=atd)
    _token, key = ApiToken.issue(user, "logiciel de gestion")
    bodies = [workbook(ROWS), workbook(ROWS, changed_every=100)]
    rows = f"{ROWS:,}".replace(",", " ")
    print(f"[{engine}] classeur de {rows} lignes, {len(bodies[0]) / 1e6:.1f} Mo")

    def direct(dataset: Dataset, body: bytes) -> int:
        draft = services.start_import(dataset, SimpleUploadedFile("export.xlsx", body), user)
        assert not services.check_import(draft, list(draft.mapping), user)
        return services.publish_draft(draft, user).number

    client = Client()

    def through_api(dataset: Dataset, body: bytes) -> int:
        response = client.post(
            f"/api/donnees/{dataset.pk}/versions",
            {"file": SimpleUploadedFile("export.xlsx", body)},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 201, response.content[:500]
        return int(response.json()["numero"])

    # A first small push loads what any first request loads (URL resolver, the API's schemas): not measured.
    scratch = Dataset.objects.create(
        etd=etd, schema_name="subventions", title="échauffement", siret="21350238800019"
    )
    through_api(scratch, workbook(10))
    direct(scratch, workbook(10))
    times: dict[str, list[float]] = {}
    for label, push in (("appel direct", direct), ("API avec jeton", through_api)):
        dataset = Dataset.objects.create(
            etd=etd, schema_name="subventions", title=label, siret="21350238800019"
        )
        for body in bodies:
            start = time.perf_counter()
            number = push(dataset, body)
            times.setdefault(label, []).append(time.perf_counter() - start)
            assert number == len(times[label])
        first, second = times[label]
        print(f"[{engine}] {label} : version 1 {first:5.2f} s ; version 2 (écart) {second:5.2f} s")
    ratio = sum(times["API avec jeton"]) / sum(times["appel direct"])
    print(f"[{engine}] API / appel direct : {ratio:.2f} ; charge de la machine {os.getloadavg()[0]:.1f}")


def main() -> None:
    database.engines_main("bench.publishing_api_push", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
