"""The checks registry: every code has its French label and explanation, and a new Validata custom check
is one class (one module) registered, nothing else to edit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from odl.schemas.checks import registry
from odl.schemas.checks.base import Batch, CustomCheck, Explained, errors
from odl.schemas.engine import validate
from odl.schemas.registry import load_file
from odl.schemas.report import render_text
from tests.schemas.conftest import write_csv

EVERY_CODE = {
    "missing-label",
    "extra-label",
    "duplicate-label",
    "blank-label",
    "incorrect-label",
    "header-row",
    "blank-row",
    "extra-cell",
    "missing-cell",
    "type-error",
    "constraint-error",
    "unique-error",
    "primary-key",
    "french-siret-value",
    "one-of-required",
    "year-interval-value",
    "cohesive-columns-value",
    "compare-columns-value",
    "sum-columns-value",
    "nomenclature-actes-value",
    "referentiel-code",
    "referentiel-nom",
    "cle-identifiant",
}


class EvenValue(CustomCheck):
    """A throw-away Validata-style check: the column holds even numbers."""

    name = code = "even-value"
    label = "Nombre impair"

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        column = self.params["column"]
        data = self.context.present(column, batch)
        odd = data.filter(pl.col("v").cast(pl.Int64, strict=False) % 2 == 1)
        return [errors(odd, column, self.code, self.code)]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return f"« {error.shown} » est impair : la colonne « {error.column} » n'admet que des nombres pairs."


@pytest.fixture
def even_value() -> Iterator[type[EvenValue]]:
    registry.register(EvenValue)
    yield EvenValue
    registry.unregister(EvenValue)


def test_every_error_code_has_a_french_label_a_category_and_an_explanation() -> None:
    assert set(registry.by_code) == EVERY_CODE
    for code in EVERY_CODE:
        assert registry.label(code) != code
        assert registry.category(code) in ("structure", "cell", "row")
        for check in registry.by_code[code]:
            message = check.explain(Explained(code, check.rule or code, "col", "x", {"name": "col"}, {}))
            assert message and message.endswith((".", "?")), (code, check.rule, message)


def test_registering_a_code_twice_or_with_another_label_is_refused(even_value: type[EvenValue]) -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(EvenValue)

    class Renamed(EvenValue):
        label = "Autre libellé"

    with pytest.raises(ValueError, match="one label"):
        registry.register(Renamed)


def test_a_new_custom_check_is_one_registered_class_and_shows_in_the_report(
    tmp_path: Path, even_value: type[EvenValue]
) -> None:
    schema_path = tmp_path / "pairs.json"
    schema_path.write_text(
        json.dumps(
            {
                "name": "pairs",
                "fields": [{"name": "nombre", "type": "integer"}],
                "custom_checks": [{"name": "even-value", "params": {"column": "nombre"}}],
            }
        )
    )
    path = write_csv(tmp_path / "pairs.csv", ["nombre"], [["2"], ["3"], ["pas un nombre"], ["8"], ["5"]])
    report = validate(path, load_file(schema_path), referentiel=False).to_dict()
    assert report["resume"]["par_code"] == {"even-value": 2, "type-error": 1}
    [group] = [g for g in report["groupes"] if g["code"] == "even-value"]
    assert (group["libelle"], group["nombre"], group["categorie"]) == ("Nombre impair", 2, "cellule")
    assert [(e["ligne"], e["message"]) for e in group["exemples"]] == [
        (3, "« 3 » est impair : la colonne « nombre » n'admet que des nombres pairs."),
        (6, "« 5 » est impair : la colonne « nombre » n'admet que des nombres pairs."),
    ]
    assert "- Nombre impair (even-value), colonne « nombre » : 2 erreur(s)" in render_text(report)
    assert report["remarques"] == []


def test_a_custom_check_no_module_registers_is_named_in_the_remarks(tmp_path: Path) -> None:
    schema_path = tmp_path / "pairs.json"
    schema_path.write_text(
        json.dumps(
            {
                "fields": [{"name": "nombre", "type": "integer"}],
                "custom_checks": [{"name": "even-value", "params": {"column": "nombre"}}],
            }
        )
    )
    path = write_csv(tmp_path / "pairs.csv", ["nombre"], [["3"]])
    report = validate(path, load_file(schema_path), referentiel=False).to_dict()
    assert report["valide"] is True
    assert report["remarques"] == [
        "Contrôle « even-value » du schéma non pris en charge : il n'a pas été vérifié."
    ]
