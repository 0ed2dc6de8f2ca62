"""Commands that start without Django's command machinery: a small file's ``odl validate`` in 0.4 s.

Importing ``django.core.management`` imports the system checks, and with them ``django.db`` and
``asyncio``: about 80 ms, a fifth of what a person waits for when validating a 30-row file. A read-only
command written as a ``Program`` is run by ``odl`` (odl/cli.py) with a plain ``argparse`` parser, and by
``manage.py`` and ``call_command`` through ``django_command()``, which wraps it in a ``BaseCommand``: one
set of options, one ``run``, both doors. This module imports nothing of Django.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any, ClassVar


class UsageError(Exception):
    """A refusal in French, with the exit code (2: wrong use or unreadable input), as CommandError."""

    def __init__(self, message: str, returncode: int = 2) -> None:
        super().__init__(message)
        self.returncode = returncode


class Output:
    """The part of Django's OutputWrapper a program writes with: a line, its ending added if missing."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, msg: str = "", ending: str = "\n") -> None:
        if ending and not msg.endswith(ending):
            msg += ending
        self.stream.write(msg)

    def flush(self) -> None:
        self.stream.flush()


class Program:
    """One read-only command: its options, and ``run`` which returns the exit code or raises UsageError."""

    help: ClassVar[str] = ""

    def __init__(self, stdout: Any, stderr: Any) -> None:
        # Output here, Django's OutputWrapper under manage.py: both have write(msg, ending=…).
        self.stdout = stdout
        self.stderr = stderr

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """The command's options, added to argparse's parser or to Django's (a subclass of it)."""

    def run(self, options: dict[str, Any]) -> int:
        raise NotImplementedError


def run(program: type[Program], name: str, argv: list[str]) -> int:
    """``odl NAME ARGV…``: parse, run, and turn a refusal into its French message and exit code."""
    parser = argparse.ArgumentParser(prog=f"odl {name}", description=program.help)
    program.add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        return program(Output(sys.stdout), Output(sys.stderr)).run(options)
    except Exception as exc:
        # The shared command helpers (odl/core/cli_output.py) refuse with Django's CommandError, which
        # they import only then: if it is one, Django's module is loaded by now.
        management = sys.modules.get("django.core.management.base")
        if not isinstance(exc, UsageError) and not (
            management is not None and isinstance(exc, management.CommandError)
        ):
            raise
        sys.stderr.write(f"Erreur : {exc}\n")
        return int(getattr(exc, "returncode", 2))


def django_command(program: type[Program]) -> type[Any]:
    """The ``BaseCommand`` of a management module (``Command = django_command(…)``) that runs ``program``."""
    from django.core.management.base import BaseCommand, CommandError, CommandParser

    class Command(BaseCommand):
        help = program.help
        # Files only: neither the URL configuration nor the models need checking.
        requires_system_checks: list[str] = []

        def add_arguments(self, parser: CommandParser) -> None:
            program.add_arguments(parser)

        def handle(self, *args: Any, **options: Any) -> None:
            try:
                code = program(self.stdout, self.stderr).run(options)
            except UsageError as exc:
                raise CommandError(str(exc), returncode=exc.returncode) from exc
            if code:
                sys.exit(code)

    Command.__doc__ = program.__doc__
    return Command
