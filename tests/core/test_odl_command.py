"""The ``odl`` console script on a database that is not ready: a French sentence, exit 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from odl.cli import database_problem

ODL = Path(sys.executable).parent / "odl"


def odl(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ODL_DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}",
    }
    return subprocess.run([str(ODL), *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("args", [["targets", "--region", "53"], ["purge"]])
def test_a_command_on_a_database_never_migrated_asks_for_odl_migrate(tmp_path: Path, args: list[str]) -> None:
    result = odl(tmp_path, *args)
    assert result.returncode == 2
    assert "La base n'est pas initialisée : lancez `odl migrate`" in result.stderr
    assert "vide.sqlite3" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_database_behind_its_migrations_says_how_many_are_waiting(tmp_path: Path) -> None:
    assert odl(tmp_path, "migrate", "contenttypes", "-v0").returncode == 0
    result = odl(tmp_path, "targets", "--region", "53")
    assert result.returncode == 2
    assert "La base n'est pas à jour (" in result.stderr
    assert "migration(s) en attente) : lancez `odl migrate`" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_a_migrated_database_is_no_problem_so_real_errors_keep_their_traceback() -> None:
    assert database_problem() is None


def test_read_only_commands_start_without_the_other_apps(tmp_path: Path) -> None:
    from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv

    path = write_csv(tmp_path / "f.csv", SUB_HEADER, [list(SUB_GOOD)])
    script = (
        "import sys\n"
        "from odl.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(path)!r}, '--no-progress'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = [m for m in ('odl.harvest.models', 'ninja', 'rdflib', 'django.contrib.admin') if m in sys.modules]\n"
        "print('lourds:', heavy)\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "ODL_DATA_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "VALIDE" in result.stdout and "lourds: []" in result.stdout
