"""The ``odl`` command line: every Django management command, with the platform's settings.

``odl targets --region 53`` is ``manage.py targets --region 53``; it needs no environment variable.
A command that meets a database that was never migrated (or is behind) says so in French and exits 2,
instead of printing Django's traceback.
"""

from __future__ import annotations

import os
import sys

# Read-only commands that need only the référentiel and the schemas: they start with these apps alone,
# which spares them the import of every other app (harvesters, the API, the admin), about half of a
# small file's start-up. A module they reach that belongs to another app fails loudly (« isn't in
# INSTALLED_APPS »); tests/schemas/test_cli.py runs the real command line.
LEAN_COMMANDS = {"validate", "schemas"}
LEAN_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "odl.core",
    "odl.territories",
    "odl.schemas",
]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in LEAN_COMMANDS:
        from django.conf import settings

        # Set before django.setup(): only these apps' modules are imported (no admin, API, harvesters).
        settings.INSTALLED_APPS = LEAN_APPS
    try:
        execute_from_command_line(["odl", *args])
    except DatabaseError:
        message = database_problem()
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(2)


def database_problem() -> str | None:
    """Why the database cannot serve a command, in French; None when it is migrated (a real error then).

    Asked only after a database error: reading the migration graph costs a few hundred milliseconds that
    a command on a healthy database should not pay.
    """
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = connection.settings_dict.get("NAME") or "?"
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        applied = executor.loader.applied_migrations
    except DatabaseError as exc:
        return (
            f"La base de données ({where}) est injoignable : {str(exc).strip()}. "
            "Vérifiez DATABASE_URL (voir .env.example)."
        )
    if not plan:
        return None
    if not applied:
        return f"La base n'est pas initialisée : lancez `odl migrate` (base : {where})."
    return (
        f"La base n'est pas à jour ({len(plan)} migration(s) en attente) : lancez `odl migrate` "
        f"(base : {where})."
    )


if __name__ == "__main__":
    main()
