"""Import of a 100,000-row spreadsheet into a collectivité's data space: read, find the header, map the
columns, write the mapped table, validate it with the platform's engine and its safe fixes, publish.

    .venv/bin/python -m bench.publishing_import              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.publishing_import --sqlite-only

Goal: under 10 s from the upload to the checked draft (reading, mapping and validation). The workbook is
the messy kind agents keep: a title row, French labels, French dates (JJ/MM/AAAA) and decimal commas on
every row (200,000 safe fixes), and a column that matches nothing (kept aside). A second import of the
same sheet with 1 % of amounts changed measures the diff against the first version. Times are wall-clock
on this machine, printed with the CPU time of the process (all its threads) and the machine's load;
no test asserts them.
"""

from __future__ import annotations

import io
import os
import time

from bench.tools import database

PG_URL = os.environ.get(
    "ODL_BENCH_PUBLISHING_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/odl_publishing_bench"
)
ROWS = 100_000
HEADER = [
    "Date de la convention",
    "Bénéficiaire",
    "SIRET",
    "OBJET",
    "Montant (€)",
    "Nature",
    "Conditions de versement",
    "Période de versement",
    "Notification UE",
    "Pourcentage",
    "Commentaire interne",
]


def workbook(rows: int, changed_every: int = 0) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Subventions")
    sheet.write(0, 0, "Subventions versées — Ville de Rennes")
    sheet.write_row(2, 0, HEADER)
    for i in range(rows):
        amount = f"{1000 + i % 5000},{i % 100:02d}"
        if changed_every and i % changed_every == 0:
            amount = f"{9000 + i % 5000},00"
        day = 1 + i % 28
        sheet.write_row(
            3 + i,
            0,
            [
                f"{day:02d}/03/2024",
                f"Association numéro {i}",
                "44088714900019",
                f"Projet {i}",
                amount,
                "aide en numéraire",
                "Versement unique",
                "2024-04-01",
                "non",
                "0,5",
                f"note {i}",
            ],
        )
    book.close()
    return buffer.getvalue()


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from odl.accounts.models import EtdAgent
    from odl.atds.models import Atd
    from odl.programme.models import Etd
    from odl.publishing import services
    from odl.publishing.models import Dataset
    from odl.territories.models import Territory

    rennes = Territory.objects.create(kind="commune", code="35238", nom="Rennes", siren="213502388")
    atd = Atd.objects.create(name="ATD Ille-et-Vilaine", kind="departement")
    etd = Etd.objects.create(atd=atd, territory=rennes)
    user = get_user_model().objects.create_user("agent")
    EtdAgent.objects.create(user=user, territory=rennes, atd=atd)
    dataset = Dataset.objects.create(
        etd=etd, schema_name="subventions", title="Subventions", siret="21350238800019"
    )
    first, second = workbook(ROWS), workbook(ROWS, changed_every=100)
    print(f"[{engine}] classeur de {ROWS:,} lignes, {len(first) / 1e6:.1f} Mo".replace(",", " "))
    for label, body in (("premier import", first), ("second import (1 % des montants changés)", second)):
        start, cpu = time.perf_counter(), time.process_time()
        draft = services.start_import(dataset, SimpleUploadedFile("subventions.xlsx", body), user)
        read = time.perf_counter()
        problems = services.check_import(draft, list(draft.mapping), user)
        checked, cpu_checked = time.perf_counter(), time.process_time()
        assert not problems, problems
        version = services.publish_draft(draft, user)
        published = time.perf_counter()
        report = draft.report
        total = checked - start
        verdict = "objectif tenu" if total < 10 else "au-dessus de l'objectif de 10 s"
        print(
            f"[{engine}] {label} : lecture, en-tête et correspondance {read - start:5.2f} s ; "
            f"table, validation et corrections {checked - read:5.2f} s ; "
            f"total {total:5.2f} s ({verdict}), temps CPU {cpu_checked - cpu:5.2f} s ; "
            f"publication et écart {published - checked:5.2f} s"
        )
        print(
            f"[{engine}]   {report['rows']} lignes, {report['corrections_total']} corrections sûres, "
            f"{report['errors']} erreurs restantes ; version {version.number} : "
            f"+{version.diff['added']} −{version.diff['removed']} ~{version.diff['changed']}"
        )


def main() -> None:
    database.engines_main("bench.publishing_import", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
