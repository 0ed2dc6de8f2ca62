"""On every corpus file, our (row, column, error kind) set equals validata-table's, save documented cases.

validata-table runs in its own tool environment (``make validata`` → ``.venv-validata``), once for the
whole corpus, in one subprocess. Without that environment the test is skipped and says why.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from odl.core.spreadsheets import UnreadableFile
from odl.schemas.engine import validate
from odl.schemas.registry import resolve
from tests.schemas.corpus import Case, build
from tests.schemas.parity import REFERENCE_EXTRA, REFERENCE_WRONG, ours_keys, validata_keys

REPO = Path(__file__).resolve().parents[2]
VALIDATA_PYTHON = Path(os.environ.get("ODL_VALIDATA_PYTHON", REPO / ".venv-validata" / "bin" / "python"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Case], dict[str, Any]]:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip("données de référence absentes : le corpus est construit depuis ../shared")
    if not VALIDATA_PYTHON.exists():
        pytest.skip(
            f"validata-table absent ({VALIDATA_PYTHON}) : lancez « make validata » (fait par « make test »)"
        )
    cases = build(SHARED_DATA, tmp_path_factory.mktemp("corpus"))
    jobs = [[c.name, str(c.official_schema(SHARED_DATA)), str(c.path)] for c in cases]
    done = subprocess.run(
        [str(VALIDATA_PYTHON), str(Path(__file__).with_name("validata_runner.py"))],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"validata-table n'a pas pu tourner : {done.stderr[-2000:]}")
    return cases, json.loads(done.stdout)


def test_the_corpus_covers_every_error_kind_and_custom_check(
    corpus: tuple[list[Case], dict[str, Any]],
) -> None:
    cases, reference = corpus
    kinds = set()
    for case in cases:
        result = reference[case.name]
        kinds |= {code for _, _, code in result.get("errors", [])}
    assert kinds >= {
        "type-error",
        "constraint-error",
        "missing-label",
        "blank-row",
        "extra-cell",
        "missing-cell",
        "primary-key",
        "unique-error",
        "one-of-required",
        "year-interval-value",
        "cohesive-columns-value",
        "compare-columns-value",
        "sum-columns-value",
        "custom-check-error",
    }


def test_each_corpus_file_gets_the_same_errors_as_validata(corpus: tuple[list[Case], dict[str, Any]]) -> None:
    cases, reference = corpus
    differences = []
    for case in cases:
        result = reference[case.name]
        try:
            ours: set[Any] | str = ours_keys(
                validate(case.path, resolve(case.schema), referentiel=False).to_dict()
            )
        except UnreadableFile as exc:
            ours = f"refusé : {exc}"
        if case.name in REFERENCE_WRONG:
            assert "crash" in result or ours != validata_keys(result), f"{case.name} n'est plus une exception"
            continue
        assert "crash" not in result, f"{case.name} : validata-table plante ({result['crash']})"
        assert isinstance(ours, set), f"{case.name} : {ours}"
        theirs = validata_keys(result)
        theirs -= {(row, col, code) for (name, row, col, code) in REFERENCE_EXTRA if name == case.name}
        if ours != theirs:
            differences.append((case.name, sorted(ours - theirs, key=str), sorted(theirs - ours, key=str)))
    assert differences == []


def test_the_documented_exceptions_are_files_the_reference_cannot_read_or_gets_wrong(
    corpus: tuple[list[Case], dict[str, Any]],
) -> None:
    cases, reference = corpus
    names = {c.name for c in cases}
    assert set(REFERENCE_WRONG) <= names
    for name in REFERENCE_WRONG:
        assert REFERENCE_WRONG[name]
    for case_name, row, column, code in REFERENCE_EXTRA:
        assert [row, column, code] in [[r, c or None, k] for r, c, k in reference[case_name]["errors"]]
