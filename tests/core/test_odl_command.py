"""The ``odl`` console script on a database that is not ready: a French sentence, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


# Run by the tests below in a fresh interpreter: the command line, then what it loaded, as the last line.
# Django's system checks are run by its command machinery (BaseCommand.execute): a command that never
# imported ``django.core.management`` ran none. Where the ORM imports it anyway (the référentiel), the
# probe counts the checks run (importing the machinery first, which the other case must not).
LEAN_PROBE = """
import json, os, sys
checks = []
if os.environ.get("COUNT_CHECKS"):
    from django.core.management.base import BaseCommand
    BaseCommand.check = lambda self, *args, **kwargs: checks.append(1)
from odl.cli import main
try:
    main(sys.argv[1:])
    code = 0
except SystemExit as exc:
    code = exc.code
from django.apps import apps
watched = [
    "django.core.management", "django.db", "django.db.models", "django.contrib.auth.models",
    "odl.territories.models", "django.urls", "django.core.mail", "django.template", "urllib.request",
    "odl.harvest.models", "ninja", "rdflib", "django.contrib.admin",
]
print()  # « schemas list --format json » ends without a newline
print(json.dumps({"code": code, "ready": apps.ready, "checks": len(checks),
                  "loaded": [m for m in watched if m in sys.modules]}))
"""


def lean_probe(tmp_path: Path, *args: str, count_checks: bool = False) -> tuple[dict[str, Any], str]:
    """What ``odl ARGS`` loaded (see LEAN_PROBE), and what it printed."""
    env = {
        "COUNT_CHECKS": "1" if count_checks else "",
        "PATH": os.environ.get("PATH", ""),
        "ODL_DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'odl.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", LEAN_PROBE, *args], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    printed, _, last = result.stdout.rstrip("\n").rpartition("\n")
    return json.loads(last), printed


def test_a_small_file_is_validated_without_system_checks_models_or_other_apps(tmp_path: Path) -> None:
    from tests.schemas.conftest import SUB_GOOD, SUB_HEADER, write_csv

    path = write_csv(tmp_path / "f.csv", SUB_HEADER, [list(SUB_GOOD)])
    for args in (["validate", str(path), "--no-progress"], ["schemas", "list", "--format", "json"]):
        probe, printed = lean_probe(tmp_path, *args)
        # Subventions name no collectivité: the référentiel is not asked, so no model is ever imported,
        # nor the database layer nor Django's command machinery (and so its system checks).
        assert probe == {"code": 0, "ready": False, "checks": 0, "loaded": []}, args
    assert "VALIDE" in lean_probe(tmp_path, "validate", str(path), "--no-progress")[1]


def test_the_referentiel_loads_the_models_it_needs_and_no_other_app(tmp_path: Path) -> None:
    from tests.schemas.conftest import write_csv
    from tests.schemas.corpus import DELIB_GOOD, DELIB_HEADER

    # A database holding Rennes alone (made with the models, quicker than every migration).
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from django.db import connection\n"
            "from odl.territories.models import ReferentielLoad, Territory\n"
            "with connection.schema_editor() as editor:\n"
            "    editor.create_model(ReferentielLoad)\n"
            "    editor.create_model(Territory)\n"
            "Territory.objects.create(kind='commune', code='35238', siren='213502388', nom='Rennes')\n",
        ],
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "odl.settings",
            "ODL_DATA_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'odl.sqlite3'}",
        },
        check=True,
    )
    rows = [list(DELIB_GOOD), list(DELIB_GOOD)]
    rows[1][2] = "DEL-2024-002"
    rows[1][1] = "12345678200010"  # a right check digit, but no such collectivité
    path = write_csv(tmp_path / "d.csv", DELIB_HEADER, rows)
    probe, printed = lean_probe(
        tmp_path, "validate", str(path), "--schema", "deliberations", "--no-progress", count_checks=True
    )
    assert probe["code"] == 0 and probe["ready"] and probe["checks"] == 0
    # The ORM brings Django's forms, templates and mail modules; no other app, no HTTP client.
    assert "odl.territories.models" in probe["loaded"]
    assert not {"odl.harvest.models", "ninja", "rdflib", "django.contrib.admin", "urllib.request"} & set(
        probe["loaded"]
    )
    assert "ligne 3 : « 12345678200010 » n'existe pas dans le référentiel" in printed
    assert "21350238800019" not in printed and "non chargé" not in printed
