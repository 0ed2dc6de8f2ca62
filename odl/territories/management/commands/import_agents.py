from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.territories.imports import ImportRefused, ImportReport, import_agents


def print_report(command: BaseCommand, report: ImportReport) -> None:
    for note in report.notes:
        command.stdout.write(f"Note : {note}")
    for line in report.lines:
        command.stdout.write(f"ligne {line.line} : {line.status} — {line.message}")
    command.stdout.write(
        f"{report.imported} ligne(s) importée(s), {report.skipped} ignorée(s). "
        "Les lignes ignorées n'ont rien modifié ; corrigez-les et réimportez le fichier."
    )


class Command(BaseCommand):
    help = (
        "Importe les effectifs (nombre d'agents) des collectivités depuis un CSV, XLSX ou ODS "
        "(colonnes : siren ou code_insee, effectif, annee, source)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="fichier CSV, XLSX ou ODS")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_agents(options["file"])
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        print_report(self, report)
