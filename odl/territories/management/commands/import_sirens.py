from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.territories.imports import ImportRefused, import_sirens
from odl.territories.management.commands.import_agents import print_report


class Command(BaseCommand):
    help = (
        "Importe le SIREN des départements et des régions, absent du paquet npm "
        "(colonnes : niveau [departement|region], code, siren ; CSV, XLSX ou ODS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="fichier CSV, XLSX ou ODS")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_sirens(options["file"])
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        print_report(self, report)
