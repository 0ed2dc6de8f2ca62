"""Document engine benchmark: the default ATD–ETD convention built and filled, then one PDF conversion.

    .venv/bin/python -m bench.documents

Each of the 20 runs per format builds the default template by code and fills it with a realistic
context (the real path of a convention download). Goal: under 2 s per ODT/DOCX document. Times are
wall-clock on this machine; nothing here is asserted by tests.
"""

from __future__ import annotations

import datetime
import statistics
import time

from odl.core import documents
from odl.core.documents import Format

RUNS = 20


def context() -> dict[str, object]:
    return {
        "atd_nom": "Département d'Ille-et-Vilaine",
        "atd_signataire": "Jean-Luc Chenut",
        "atd_signataire_qualite": "Président du conseil départemental",
        "etd_nom": "Commune de Bruz",
        "etd_siren": "213500474",
        "etd_signataire": "Philippe Salmon",
        "etd_signataire_qualite": "Maire",
        "date_convention": datetime.date(2026, 12, 1),
        "date_limite_publication": datetime.date(2027, 12, 31),
        "duree_mois": 24,
        "jeux_cibles": [
            "Délibérations du conseil municipal",
            "Subventions accordées aux associations",
            "Équipements collectifs",
            "Marchés publics",
            "Menus de la restauration scolaire",
        ],
        "engagements": ["Présenter la démarche en conseil municipal", "Nommer un référent données"],
        "offre_atd": [
            "Animation du réseau des ETD",
            "Formation des agents et sensibilisation des élus",
            "Outils de validation des fichiers SCDL",
            "Portail open data mutualisé",
        ],
        "offre_atd_precisions": "Deux demi-journées de formation au printemps, un appel mensuel le premier jeudi.",
        "lieu": "Rennes",
    }


def measure(fmt: Format) -> bytes:
    samples = []
    document = b""
    for _ in range(RUNS):
        start = time.perf_counter()
        document = documents.render(documents.default_convention_template(fmt), fmt, context())
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(
        f"convention {fmt.upper():<4} (modèle construit + rempli) : médiane {statistics.median(samples):6.1f} ms, "
        f"p95 {p95:6.1f} ms ({RUNS} documents, {len(document) / 1024:.0f} Ko)"
    )
    return document


def main() -> None:
    produced = {fmt: measure(fmt) for fmt in ("odt", "docx")}
    if not documents.pdf_available():
        print("LibreOffice indisponible : pas de mesure PDF.")
        return
    start = time.perf_counter()
    pdf = documents.to_pdf(produced["odt"], "odt")
    print(
        f"conversion PDF (LibreOffice, ODT, profil neuf) : {time.perf_counter() - start:.2f} s ({len(pdf) / 1024:.0f} Ko)"
    )


if __name__ == "__main__":
    main()
