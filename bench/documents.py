"""Document engine benchmark: the default ATD–ETD convention built and filled, then one PDF conversion.

    .venv/bin/python -m bench.documents

Each of the 20 runs per format builds the default template by code and fills it with a realistic
context (the real path of a convention download). Goal: under 2 s per ODT/DOCX document. Times are
wall-clock on this machine; nothing here is asserted by tests.
"""

from __future__ import annotations

import statistics
import time

from odl.core import documents
from odl.core.documents import Format

RUNS = 20


def measure(fmt: Format) -> bytes:
    samples = []
    document = b""
    for _ in range(RUNS):
        start = time.perf_counter()
        document = documents.render(
            documents.default_convention_template(fmt), fmt, documents.CONVENTION_EXAMPLE
        )
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
