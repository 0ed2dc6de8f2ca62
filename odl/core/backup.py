"""Backups of the platform's database: one file, restored as it was.

SQLite is copied with its online backup API, so a backup taken while the web server or a harvest
writes is consistent (a plain file copy of a WAL database is not). PostgreSQL goes through
``pg_dump --format=custom`` and ``pg_restore --clean``, the tools its operators already trust; they
come with the PostgreSQL client package and their absence is said in French.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message is for the user, in French."""


def engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"sauvegarde non prise en charge pour la base « {vendor} »")
    return vendor


def backup(dest: Path, alias: str = "default") -> Path:
    """Write a consistent copy of the database to ``dest``; returns it."""
    if dest.exists() and dest.is_dir():
        raise BackupError(f"« {dest} » est un dossier : donnez le nom du fichier de sauvegarde")
    if not dest.parent.is_dir():
        raise BackupError(f"le dossier « {dest.parent} » n'existe pas")
    settings = connections[alias].settings_dict
    if engine(alias) == "sqlite":
        partial = dest.with_name(dest.name + ".partiel")
        _sqlite_copy(sqlite3.connect(str(settings["NAME"])), partial)
        # Only a complete copy takes the name: a backup cut short never passes for a good one.
        partial.replace(dest)
        return dest
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dest}", *_pg_args(settings)], settings)
    return dest


def restore(src: Path, alias: str = "default") -> None:
    """Replace the database's content with the backup ``src`` (taken by :func:`backup`)."""
    if not src.is_file():
        raise BackupError(f"fichier de sauvegarde introuvable : « {src} »")
    with src.open("rb") as handle:
        head = handle.read(16)
    settings = connections[alias].settings_dict
    kind = engine(alias)
    if kind == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"« {src} » n'est pas une sauvegarde SQLite de la plateforme")
        connections[alias].close()
        _sqlite_copy(sqlite3.connect(f"file:{src}?mode=ro", uri=True), Path(settings["NAME"]))
        return
    if not head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"« {src} » n'est pas une sauvegarde PostgreSQL (pg_dump --format=custom)")
    connections[alias].close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *_pg_args(settings),
            str(src),
        ],
        settings,
        database_flag=True,
    )


def _sqlite_copy(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the platform writes to the source."""
    destination = sqlite3.connect(str(target))
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


def _pg_args(settings: dict[str, Any]) -> list[str]:
    args = []
    if settings.get("HOST"):
        args.append(f"--host={settings['HOST']}")
    if settings.get("PORT"):
        args.append(f"--port={settings['PORT']}")
    if settings.get("USER"):
        args.append(f"--username={settings['USER']}")
    return args


def _run(command: list[str], settings: dict[str, Any], *, database_flag: bool = False) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"« {tool} » est introuvable : installez le client PostgreSQL (paquet postgresql-client)"
        )
    name = str(settings["NAME"])
    command = [*command[:-1], f"--dbname={name}", command[-1]] if database_flag else [*command, name]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{tool} a échoué : {detail[-1] if detail else f'code {result.returncode}'}")
