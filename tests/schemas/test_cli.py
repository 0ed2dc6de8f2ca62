"""``odl validate`` and ``odl schemas``: exit codes, text and JSON reports, the report's JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from odl.core.programs import Output, UsageError
from odl.schemas.commandline import Validate
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv

REPORT_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "odl" / "schemas" / "report.schema.json").read_text()
)


def validate_cli(*args: str) -> tuple[int, str]:
    out = StringIO()
    command = Validate(Output(out), Output(StringIO()))
    options = {"fmt": "text", "max_errors": None, "fix": None, "referentiel": False}
    path, schema = args[0], args[1]
    for extra in args[2:]:
        key, _, value = extra.partition("=")
        options[key] = int(value) if key == "max_errors" else value
    code = command.handle_one(Path(path), schema, **options)  # type: ignore[arg-type]
    return code, out.getvalue()


def test_a_valid_file_exits_0(subventions_file: Path) -> None:
    code, text = validate_cli(str(subventions_file), "subventions")
    assert code == 0
    assert "VALIDE" in text


def test_an_invalid_file_exits_1_with_a_plain_french_report(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(2)]
    rows[1][8] = "12,50"
    code, text = validate_cli(str(write_csv(tmp_path / "f.csv", SUB_HEADER, rows)), "subventions")
    assert code == 1
    assert "ligne 3 : Le nombre « 12,50 » doit utiliser un point décimal" in text


def test_the_json_report_follows_its_documented_schema(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(4)]
    rows[0][2] = "01/02/2024"
    rows[1] = rows[1][:3]
    rows[2] = [""] * 16
    header = [*SUB_HEADER[:-1], "Dispositif"]
    code, text = validate_cli(
        str(write_csv(tmp_path / "f.csv", header, rows, sep=";")), "subventions", "fmt=json", "max_errors=3"
    )
    assert code == 1
    report = json.loads(text)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["tronque"] is True
    assert [g["categorie"] for g in report["groupes"]] == sorted(
        (g["categorie"] for g in report["groupes"]), key=["structure", "cellule", "ligne"].index
    )


def test_a_schema_version_can_be_asked_for(subventions_file: Path) -> None:
    assert validate_cli(str(subventions_file), "subventions@2.1.1")[0] == 0
    assert validate_cli(str(subventions_file), "scdl/subventions")[0] == 0
    with pytest.raises(
        UsageError, match="version « 1.0 » du schéma « subventions » n'est pas disponible"
    ) as caught:
        validate_cli(str(subventions_file), "subventions@1.0")
    assert caught.value.returncode == 2


def test_an_unknown_schema_lists_the_close_ones(subventions_file: Path) -> None:
    with pytest.raises(UsageError, match="Vouliez-vous dire : deliberations") as caught:
        validate_cli(str(subventions_file), "deliberation")
    assert caught.value.returncode == 2


def test_any_table_schema_file_can_be_used_directly(tmp_path: Path, subventions_file: Path) -> None:
    schema = tmp_path / "mon-schema.json"
    schema.write_text(
        json.dumps({"fields": [{"name": "nomAttribuant", "type": "string", "constraints": {"maxLength": 5}}]})
    )
    code, text = validate_cli(str(subventions_file), str(schema))
    assert code == 1
    assert "5 au plus" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{pas du json", "n'est pas un JSON valide"),
        ('{"title": "sans champs"}', "pas de liste « fields »"),
        ('{"fields": [{"name": "a", "type": "entier"}]}', "type inconnu « entier »"),
        ('{"fields": [{"name": "a", "constraints": {"pattern": "(["}}]}', "n'est pas une expression valide"),
    ],
)
def test_an_invalid_schema_file_is_refused_with_exit_2(
    tmp_path: Path, subventions_file: Path, content: str, expected: str
) -> None:
    schema = tmp_path / "cassé.json"
    schema.write_text(content)
    with pytest.raises(UsageError, match=expected) as caught:
        validate_cli(str(subventions_file), str(schema))
    assert caught.value.returncode == 2


def test_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    garbage = tmp_path / "bruit.csv"
    garbage.write_bytes(b"\x00\x01\x02" * 1000)
    with pytest.raises(UsageError, match="octets binaires") as caught:
        validate_cli(str(garbage), "subventions")
    assert caught.value.returncode == 2
    with pytest.raises(UsageError, match="introuvable"):
        validate_cli(str(tmp_path / "absent.csv"), "subventions")


def test_the_real_command_line_uses_exit_codes_0_1_2(tmp_path: Path, subventions_file: Path) -> None:
    rows = [list(SUB_GOOD)]
    rows[0][2] = "hier"
    bad = write_csv(tmp_path / "bad.csv", SUB_HEADER, rows)
    odl = [sys.executable, "-m", "odl.cli", "validate", "--no-referentiel", "--no-progress"]
    assert (
        subprocess.run(
            [*odl, str(subventions_file), "--schema", "subventions"], capture_output=True
        ).returncode
        == 0
    )
    assert subprocess.run([*odl, str(bad), "--schema", "subventions"], capture_output=True).returncode == 1
    refused = subprocess.run([*odl, str(bad), "--schema", "inconnu"], capture_output=True, text=True)
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr and "Schéma inconnu" in refused.stderr


def test_fix_writes_a_corrected_copy_and_lists_the_changes(tmp_path: Path) -> None:
    rows = [list(SUB_GOOD) for _ in range(2)]
    rows[0][2] = "05/12/2016"
    rows[1][8] = "1 234,5"
    source = write_csv(tmp_path / "f.csv", SUB_HEADER, rows, sep=";", encoding="latin-1")
    fixed = tmp_path / "corrige.csv"
    code, text = validate_cli(str(source), "subventions", "fmt=json", f"fix={fixed}")
    report = json.loads(text)
    assert code == 1
    assert {(c["ligne"], c["colonne"], c["avant"], c["apres"]) for c in report["corrections"]} >= {
        (2, "dateConvention", "05/12/2016", "2016-12-05"),
        (3, "montant", "1 234,5", "1234.5"),
    }
    assert validate_cli(str(fixed), "subventions")[0] == 0


def test_schemas_list_shows_every_embedded_schema_with_its_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("schemas", "list", "--format", "json")
    rows = {r["nom"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["deliberations"]["version"] == "2.1.5"
    assert rows["subventions"]["identifiant"] == "scdl/subventions"
    assert len(rows) >= 10
