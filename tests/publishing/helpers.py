"""A messy spreadsheet of subventions as agents keep them: a title row, French labels, French numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter

MESSY_HEADER = [
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


def messy_row(n: int, amount: str = "1500,50") -> list[str]:
    return [
        "12/03/2024",
        f"Association {n}",
        "44088714900019",
        f"Fête de quartier {n}",
        amount,
        "aide en numéraire",
        "Versement unique",
        "2024-04-01",
        "non",
        "0.5",
        f"à relancer {n}",
    ]


def messy_xlsx(rows: Sequence[Sequence[str]], header: Sequence[str] = MESSY_HEADER) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("Subventions")
    sheet.write(0, 0, "Subventions versées en 2024 — Ville de Rennes")
    # Row 2 is left empty, as in most hand-made sheets; the header is on line 3.
    sheet.write_row(2, 0, list(header))
    for index, row in enumerate(rows, start=3):
        sheet.write_row(index, 0, list(row))
    book.close()
    return buffer.getvalue()
