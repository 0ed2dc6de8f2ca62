"""`odl backup` / `odl restore`: a round trip through the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PG_SERVER = ("127.0.0.1", 5432)


def _odl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "odl.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )


def _count(env: dict[str, str]) -> str:
    code = "from odl.territories.models import Territory; print(sorted(Territory.objects.values_list('code', flat=True)))"
    result = _odl(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _add(env: dict[str, str], code: str) -> None:
    script = f"from odl.territories.models import Territory; Territory.objects.create(kind='commune', code='{code}', nom='Essai {code}')"
    result = _odl(env, "shell", "--no-imports", "-c", script)
    assert result.returncode == 0, result.stderr


def _pg_up() -> bool:
    try:
        with socket.create_connection(PG_SERVER, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["ODL_DATA_DIR"] = str(tmp_path / "var")
    name = ""
    if request.param == "postgresql":
        if not _pg_up():
            pytest.skip("pas de serveur PostgreSQL sur 127.0.0.1:5432")
        name = f"odl_backup_{uuid.uuid4().hex[:10]}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    migrated = _odl(env, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    yield env
    if name:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False)


def test_a_backup_restores_the_database_as_it_was_and_bad_files_change_nothing(
    database: dict[str, str], tmp_path: Path
) -> None:
    _add(database, "35238")
    copy = tmp_path / "sauvegarde.bin"
    made = _odl(database, "backup", "--output", str(copy))
    assert made.returncode == 0, made.stderr
    assert "Sauvegarde écrite" in made.stdout and copy.stat().st_size > 0
    _add(database, "35047")
    assert _count(database) == "['35047', '35238']"

    refused = _odl(database, "restore", str(copy))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = _odl(database, "restore", str(copy), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert _count(database) == "['35238']"

    # What a user gets wrong: nothing already stored is lost, and the message is French.
    bogus = tmp_path / "notes.txt"
    bogus.write_text("ceci n'est pas une sauvegarde", encoding="utf-8")
    wrong = _odl(database, "restore", str(bogus), "--yes")
    assert wrong.returncode == 2
    assert "n'est pas une sauvegarde" in wrong.stderr and "Traceback" not in wrong.stderr
    missing = _odl(database, "backup", "--output", str(tmp_path / "absent" / "copie.bin"))
    assert missing.returncode == 2
    assert "n'existe pas" in missing.stderr and "Traceback" not in missing.stderr
    assert _count(database) == "['35238']"
