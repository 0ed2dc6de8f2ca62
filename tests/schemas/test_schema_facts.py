"""Each embedded schema states exactly the facts of the official file: names, types, constraints, checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from odl.schemas.registry import embedded, to_table_schema
from tests.schemas.corpus import SCHEMA_FILES

FIELD_FACTS = ("name", "type", "format", "constraints", "trueValues", "falseValues", "arrayItem")


def _constraints(c: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (c or {}).items() if not (k == "required" and v is False)}


def facts(ts: dict[str, Any]) -> dict[str, Any]:
    fields = []
    for f in ts["fields"]:
        item = {k: f[k] for k in FIELD_FACTS if k in f}
        if item.get("format") == "default":
            del item["format"]
        item["constraints"] = _constraints(f.get("constraints"))
        if "arrayItem" in item:
            item["arrayItem"] = {
                "type": f["arrayItem"]["type"],
                "constraints": _constraints(f["arrayItem"].get("constraints")),
            }
        fields.append(item)
    pk = ts.get("primaryKey")
    return {
        "version": str(ts.get("version")),
        "missingValues": ts.get("missingValues"),
        "primaryKey": [pk] if isinstance(pk, str) else pk,
        "custom_checks": [(c["name"], c.get("params", {})) for c in ts.get("custom_checks", [])],
        "fields": fields,
    }


def test_the_platform_ships_the_main_scdl_schemas() -> None:
    assert set(embedded()) >= {
        "deliberations",
        "subventions",
        "decp-dpa",
        "equipements",
        "prenoms",
        "catalogue",
        "budget",
        "irve-statique",
        "stationnement",
        "menus-collectifs",
        "plats-menus-collectifs",
    }


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_an_embedded_schema_states_the_same_facts_as_the_official_file(shared_data: Path, name: str) -> None:
    official = json.loads((shared_data / SCHEMA_FILES[name]).read_text(encoding="utf-8"))
    ours = to_table_schema(embedded()[name])
    assert facts(ours) == facts(official)


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_an_embedded_schema_has_its_own_short_french_description(shared_data: Path, name: str) -> None:
    own = embedded()[name]
    official = json.loads((shared_data / SCHEMA_FILES[name]).read_text(encoding="utf-8"))
    assert 20 < len(own["resume"]) < 200
    assert own["resume"] != official.get("description")
    assert "description" not in json.dumps(own)


def test_the_facts_comparison_notices_a_changed_constraint(shared_data: Path) -> None:
    own = json.loads(json.dumps(embedded()["subventions"]))
    own["colonnes"][7]["long_max"] = 255
    official = json.loads((shared_data / SCHEMA_FILES["subventions"]).read_text(encoding="utf-8"))
    assert facts(to_table_schema(own)) != facts(official)
