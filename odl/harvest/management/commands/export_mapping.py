from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from odl.core.cli_output import TABLE_FORMATS, write_table
from odl.harvest.harvesters.sources import MAPPING_COLUMNS, mapping_rows
from odl.harvest.models import MatchStatus, Publisher


class Command(BaseCommand):
    help = "Exporte la table de correspondance éditeurs moissonnés → collectivités (à réimporter avec import_mapping)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            choices=list(MatchStatus.values),
            help="seulement ce statut (répétable)",
        )
        parser.add_argument("--format", default="csv", choices=TABLE_FORMATS, help="format de sortie")
        parser.add_argument("--delimiter", default=";", help="séparateur CSV (« ; » par défaut)")
        parser.add_argument("--output", default=None, help="fichier de sortie (sinon la sortie standard)")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = self.handle_one(options["status"])
        write_table(
            self.stdout,
            options["format"],
            MAPPING_COLUMNS,
            rows,
            options["output"],
            delimiter=options["delimiter"],
        )

    def handle_one(self, statuses: list[str]) -> list[list[Any]]:
        publishers = Publisher.objects.all()
        if statuses:
            publishers = publishers.filter(match_status__in=statuses)
        return mapping_rows(publishers)
