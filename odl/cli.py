"""The ``odl`` command line: every Django management command, with the platform's settings.

``odl targets --region 53`` is ``manage.py targets --region 53``; it needs no environment variable.
A command that meets a database that was never migrated (or is behind) says so in French and exits 2,
instead of printing Django's traceback.
"""

from __future__ import annotations

import os
import sys

# Read-only commands that need only the référentiel and the schemas: programs (odl/core/programs.py) run
# without ``django.setup()`` nor Django's command machinery. No system checks, no ``django.db`` nor
# ``asyncio`` imported unless a model is needed (the référentiel's, odl/core/startup.py), then only
# LEAN_APPS, which spares them the import of every other app (harvesters, the API, the admin). A module
# they reach that belongs to another app fails loudly (« isn't in INSTALLED_APPS »);
# tests/schemas/test_cli.py and tests/core/test_odl_command.py run the real command line.
LEAN_COMMANDS = {"validate": "odl.schemas.commandline.Validate", "schemas": "odl.schemas.commandline.Schemas"}
LEAN_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "odl.core",
    "odl.territories",
    "odl.schemas",
]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")
    args = sys.argv[1:] if argv is None else argv
    try:
        if args and args[0] in LEAN_COMMANDS:
            code = run_lean(args)
            if code:
                sys.exit(code)
        else:
            from django.core.management import execute_from_command_line

            execute_from_command_line(["odl", *args])
    except Exception as exc:
        # A database error can only come from django.db, imported by then; a lean command that never
        # met the database has not paid for importing it.
        db = sys.modules.get("django.db")
        if db is None or not isinstance(exc, db.DatabaseError):
            raise
        message = database_problem()
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(2)


def run_lean(args: list[str]) -> int:
    """``args[0]``, one of LEAN_COMMANDS, as ``manage.py`` would run it, minus ``django.setup()``.

    The platform's logging is configured (Django's own defaults, for requests and e-mails to the admins,
    are not: they import the mail and debug-page modules, and a command needs neither).
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    from odl.core import programs

    # Set before any app is imported: only these apps' modules can be (no admin, API, harvesters).
    settings.INSTALLED_APPS = LEAN_APPS
    if settings.LOGGING_CONFIG and settings.LOGGING:
        import_string(settings.LOGGING_CONFIG)(settings.LOGGING)
    return programs.run(import_string(LEAN_COMMANDS[args[0]]), args[0], args[1:])


def database_problem() -> str | None:
    """Why the database cannot serve a command, in French; None when it is migrated (a real error then).

    Asked only after a database error: reading the migration graph costs a few hundred milliseconds that
    a command on a healthy database should not pay.
    """
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    from odl.core.startup import models_ready

    models_ready()  # a lean command (run_lean) may meet the database before any app is loaded
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
