from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.places import importer


class Command(BaseCommand):
    help = (
        "Importe un fichier CSV du standard national « lieux de médiation numérique » (chemin ou adresse "
        "http(s)) dans l'annuaire des lieux ; les lignes refusées sont listées avec leur numéro."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="chemin d'un fichier CSV ou adresse http(s)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.handle_one(options["source"])
        for error in report.errors:
            self.stderr.write(error)

    def handle_one(self, source: str) -> importer.Report:
        try:
            if source.startswith(("http://", "https://")):
                data = importer.fetch(source)
            else:
                path = Path(source)
                if not path.is_file():
                    raise CommandError(f"Fichier introuvable : {source}", returncode=2)
                data = path.read_bytes()
            report = importer.import_places(data, source)
        except importer.ImportProblem as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(report.summary())
        return report
