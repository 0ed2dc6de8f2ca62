"""The validator on generated files of every embedded schema: it always answers with a report that
follows its published JSON Schema, never crashes, and its corrected copy is a readable file."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from odl.core.spreadsheets import UnreadableFile, read_table
from odl.schemas import registry
from odl.schemas.service import validate_file

REPORT_SCHEMA = json.loads(
    (Path(registry.__file__).parent / "report.schema.json").read_text(encoding="utf-8")
)
SCHEMAS = sorted(registry.embedded())

# Values around what each Table Schema type accepts: right, nearly right (the safe fixes' cases) and wrong.
NEAR = {
    "date": ["2024-03-12", "12/03/2024", "12/03/24", "2024-02-30", "12 mars 2024", "", "  2024-03-12 "],
    "datetime": ["2024-03-12T10:00:00Z", "2024-03-12 10:00", "12/03/2024 10h", "demain"],
    "number": ["1", "1,5", "1 234,56", "-0", "NaN", "INF", "-INF", "1e309", "abc", "1.2.3", "٣"],
    "integer": ["0", "12", "-3", "1,0", "1.0", "9" * 30, "douze", "+4"],
    "boolean": ["true", "false", "oui", "non", "1", "0", "VRAI", "peut-être"],
    "string": ["Rennes", "21350238800019", "35238", "a" * 300, "<script>x</script>", "=HYPERLINK()", ""],
    "year": ["2024", "24", "deux mille"],
}


def _value(field: dict[str, Any]) -> st.SearchStrategy[str]:
    choices = list(NEAR.get(field.get("type", "string"), NEAR["string"]))
    choices += [str(v) for v in field.get("constraints", {}).get("enum", [])]
    return st.one_of(st.sampled_from(choices), st.text(max_size=20))


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SCHEMAS))
    fields = registry.known(name).table_schema["fields"]
    header = [f["name"] for f in fields]
    if draw(st.booleans()):  # a column forgotten, or two swapped, as exports do
        header = draw(st.permutations(header))[: draw(st.integers(1, len(header)))]
    by_name = {f["name"]: f for f in fields}
    rows = draw(st.lists(st.tuples(*[_value(by_name[h]) for h in header]), min_size=0, max_size=12))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";"])))
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]))
    return name, buffer.getvalue().encode(encoding, errors="replace")


@pytest.mark.django_db
@given(files())
def test_every_generated_file_gets_a_report_that_follows_its_schema(
    small_referentiel: Any, capfd: pytest.CaptureFixture[str], example: tuple[str, bytes]
) -> None:
    name, data = example
    capfd.readouterr()
    with tempfile.TemporaryDirectory() as folder:
        path, fixed = Path(folder) / "fichier.csv", Path(folder) / "corrige.csv"
        path.write_bytes(data)
        try:
            result = validate_file(path, registry.known(name), fix=fixed, max_errors=200)
        except UnreadableFile as exc:
            assert str(exc)
            return
        # polars prints its deprecations from Rust, beyond the reach of ``filterwarnings = error``.
        assert "deprecated" not in capfd.readouterr().err
        report = result.as_dict()
        jsonschema.validate(report, REPORT_SCHEMA)
        json.dumps(report)
        assert result.valid == (result.errors == 0)
        assert result.rows >= 0 and result.errors >= 0 and result.warnings >= 0
        if fixed.exists():
            # The copy keeps every row but the blank ones, which the report lists for deletion.
            copy = read_table(fixed)
            assert len(copy.rows) <= result.rows
