"""``odl validate`` without --schema (guessed from the header) and on many files or a folder."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from odl.core.programs import Output, UsageError
from odl.schemas.commandline import Validate
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv


def folder(tmp_path: Path) -> Path:
    root = tmp_path / "exports"
    (root / "2024").mkdir(parents=True)
    write_csv(root / "a-bon.csv", SUB_HEADER, [list(SUB_GOOD)])
    bad = list(SUB_GOOD)
    bad[2] = "hier"
    write_csv(root / "2024" / "b-mauvais.csv", SUB_HEADER, [bad])
    (root / "c-inconnu.csv").write_text("x,y\n1,2\n")
    (root / "d-scan.xlsx").write_bytes(b"%PDF-1.4 pas un tableau")
    (root / ".cache.csv").write_text("cache\n")
    (root / "~$budget.xlsx").write_bytes(b"verrou")
    (root / "notes.pdf").write_bytes(b"%PDF")
    return root


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("validate", *args, "--no-referentiel", "--no-progress", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_without_schema_the_header_chooses_and_the_report_says_which(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", SUB_HEADER, [list(SUB_GOOD)])
    code, out, _ = run(str(path))
    assert code == 0
    assert out.startswith("Schéma deviné d'après l'en-tête : subventions 2.1.1")
    code, out, err = run(str(path), "--format", "json")
    assert json.loads(out)["schema"]["nom"] == "subventions"
    assert "Schéma deviné d'après l'en-tête : subventions" in err


def test_a_header_no_schema_covers_is_refused_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("x,y\n1,2\n")
    with pytest.raises(UsageError, match="indiquez --schema NOM") as caught:
        Validate(Output(StringIO()), Output(StringIO())).handle_one(path, None, referentiel=False)
    assert caught.value.returncode == 2


def test_a_folder_gives_one_line_per_file_a_summary_and_exit_1(tmp_path: Path) -> None:
    root = folder(tmp_path)
    code, out, _ = run(str(root))
    assert code == 1
    lines = out.splitlines()
    assert (
        lines[0]
        == f"{root}/2024/b-mauvais.csv : NON VALIDE (schéma subventions 2.1.1 deviné d'après l'en-tête ; 1 ligne(s), 1 erreur(s))"
    )
    assert (
        lines[1]
        == f"{root}/a-bon.csv : VALIDE (schéma subventions 2.1.1 deviné d'après l'en-tête ; 1 ligne(s))"
    )
    assert lines[2].startswith(
        f"{root}/c-inconnu.csv : SANS SCHÉMA — Aucun schéma ne correspond à l'en-tête de « c-inconnu.csv »"
    )
    assert lines[3].startswith(f"{root}/d-scan.xlsx : ILLISIBLE — « d-scan.xlsx » est un document PDF")
    assert ".cache" not in out and "budget" not in out and "notes.pdf" not in out
    assert "4 fichier(s) : 1 valide, 1 non valide, 1 illisible, 1 sans schéma." in out


def test_every_file_valid_exits_0_and_the_schema_given_is_used_for_all(tmp_path: Path) -> None:
    one = write_csv(tmp_path / "un.csv", SUB_HEADER, [list(SUB_GOOD)])
    two = write_csv(tmp_path / "deux.csv", SUB_HEADER, [list(SUB_GOOD)])
    code, out, _ = run(str(one), str(two), "--schema", "subventions")
    assert code == 0
    assert "deviné" not in out and "2 fichier(s) : 2 valide." in out


def test_json_dir_writes_one_report_per_file_and_a_summary(tmp_path: Path) -> None:
    root = folder(tmp_path)
    reports = tmp_path / "rapports"
    code, out, _ = run(str(root), "--json-dir", str(reports))
    assert code == 1
    assert sorted(p.name for p in reports.iterdir()) == [
        "2024--b-mauvais.csv.json",
        "a-bon.csv.json",
        "resume.json",
    ]
    bad = json.loads((reports / "2024--b-mauvais.csv.json").read_text())
    assert bad["valide"] is False and bad["resume"]["erreurs"] == 1
    summary = {
        row["fichier"].rsplit("/", 1)[1]: row for row in json.loads((reports / "resume.json").read_text())
    }
    assert summary["a-bon.csv"]["statut"] == "valide" and summary["a-bon.csv"]["rapport"] == "a-bon.csv.json"
    assert summary["d-scan.xlsx"]["statut"] == "illisible" and "PDF" in summary["d-scan.xlsx"]["message"]
    assert f"Rapports JSON écrits dans {reports}" in out


def test_a_batch_refuses_fix_and_an_empty_folder(tmp_path: Path) -> None:
    root = folder(tmp_path)
    with pytest.raises(CommandError, match="--fix écrit la copie corrigée d'un seul fichier"):
        call_command("validate", str(root), "--fix", str(tmp_path / "x.csv"))
    (tmp_path / "vide").mkdir()
    with pytest.raises(CommandError, match="ne contient aucun fichier CSV, XLSX ou ODS"):
        call_command("validate", str(tmp_path / "vide"))
    with pytest.raises(CommandError, match="introuvable"):
        call_command("validate", str(root), str(tmp_path / "absent.csv"))
