"""Auto-matching of real publisher names against the whole référentiel: precision and recall.

The corpus (``fixtures/publisher_names.csv``: name, expected SIREN or ``none``, perimeter, origin) holds
real names with their answer, written from OpenDataFrance's 2021 organisations table (the curated name
and the Opendatasoft publisher values, beside the organisation's SIREN; rows whose SIREN lies outside
the département the table gives were left out), from the publishers of the harvest payloads in
``../shared/data/harvest`` and from the examples of issue 8. ``none`` is a body that is not a
collectivité of the référentiel (syndicats, offices, délégataires, State services): it must never be
auto-matched. The perimeter is the territory a source covers (an ATD's portal); empty for a national
source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from odl.harvest.matching import MatchResult, ReferentielIndex, match
from odl.harvest.names import name_of
from odl.territories.loader import load_referentiel

CORPUS = Path(__file__).parent / "fixtures" / "publisher_names.csv"


@dataclass
class Figures:
    rows: int = 0
    expected: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[tuple[str, MatchResult]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        matched = self.right + len(self.wrong)
        return self.right / matched if matched else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def corpus() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def evaluate(index: ReferentielIndex, rows: list[dict[str, str]], *, with_perimeter: bool = True) -> Figures:
    figures = Figures(rows=len(rows))
    for row in rows:
        perimeter = None
        if with_perimeter and row["perimetre"]:
            kind, code = row["perimetre"].split(":")
            perimeter = index.by_kind_code[(kind, code)]
        result = match(row["nom"], "", {}, index, perimeter)
        expected = row["siren_attendu"]
        figures.expected += expected != "none"
        if result.status == "auto":
            assert result.territory_id is not None
            found = index.by_id[result.territory_id]
            if found.siren == expected:
                figures.right += 1
            else:
                figures.wrong.append(f"{row['nom']} → {found.nom} ({found.siren}), attendu {expected}")
        elif expected != "none":
            figures.missed.append((row["nom"], result))
    return figures


@pytest.mark.slow
@pytest.mark.django_db
def test_auto_matching_of_real_publisher_names_is_precise_and_finds_nearly_all(
    npm_referentiel: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_referentiel(npm_referentiel)
    index = ReferentielIndex()
    rows = corpus()
    assert len(rows) >= 200
    local = evaluate(index, rows)
    national = evaluate(index, rows, with_perimeter=False)
    with capsys.disabled():
        print(
            f"\nCorpus de {local.rows} noms réels ({local.expected} collectivités attendues) : "
            f"précision {local.precision:.2%}, rappel {local.recall:.2%} dans le périmètre de la source ; "
            f"sans périmètre (source nationale) : précision {national.precision:.2%}, "
            f"rappel {national.recall:.2%}."
        )
    assert local.wrong == [] or local.precision >= 0.99, local.wrong
    assert national.precision >= 0.99, national.wrong
    assert local.recall >= 0.95, [name for name, _ in local.missed]
    # Never silently unmatched: a name that says it is a collectivité is matched or queued, and what is
    # queued comes with a proposal unless nothing in the référentiel is near it.
    for name, result in local.missed:
        if name_of(name).kind:
            assert result.status == "to_review", (name, result)
    proposed = sum(1 for _name, result in local.missed if result.candidate_id is not None)
    with capsys.disabled():
        print(f"Non rapprochés automatiquement : {len(local.missed)}, dont {proposed} avec une proposition.")
    assert proposed * 2 >= len(local.missed)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_issue_examples_match_in_both_directions(npm_referentiel: Path) -> None:
    load_referentiel(npm_referentiel)
    index = ReferentielIndex()
    expected = {row["nom"]: row["siren_attendu"] for row in corpus() if row["origine"] == "issue 8"}
    assert len(expected) == 10
    for name, siren in expected.items():
        result = match(name, "", {}, index, None)
        assert result.status == "auto", (name, result)
        assert result.territory_id is not None and index.by_id[result.territory_id].siren == siren, name
    ain = match("Département de l'Ain", "", {}, index, None)
    assert index.by_id[ain.territory_id or 0].code == "01"
    # The same EPCI, prefix given or not.
    assert match("CA Gap-Tallard-Durance", "", {}, index, None).territory_id == (
        match("Communauté d'agglomération de Gap-Tallard-Durance", "", {}, index, None).territory_id
    )
