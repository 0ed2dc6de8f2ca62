from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.spreadsheets import UnreadableFile, read_table
from odl.harvest.harvesters.sources import (
    MAPPING_COLUMNS,
    REQUIRED_MAPPING_COLUMNS,
    ImportReport,
    import_mapping,
)


class Command(BaseCommand):
    help = (
        "Importe une table de correspondance éditeurs → collectivités (CSV, XLSX ou ODS au format d'export_mapping). "
        "Chaque ligne vaut décision : les moissonnages suivants la conservent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="fichier CSV, XLSX ou ODS")
        parser.add_argument("--dry-run", action="store_true", help="vérifie sans rien enregistrer")

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.handle_one(options["file"], dry_run=options["dry_run"])
        for error in report.errors or []:
            self.stderr.write(error)
        verb = "seraient modifiés" if options["dry_run"] else "modifiés"
        self.stdout.write(
            f"{report.changed} éditeur(s) {verb}, {report.unchanged} inchangé(s), {len(report.errors or [])} ligne(s) en erreur."
        )
        if report.errors:
            raise CommandError("Des lignes n'ont pas été importées (voir ci-dessus).", returncode=1)

    def handle_one(self, path: str, dry_run: bool = False) -> ImportReport:
        try:
            table = read_table(path)
        except UnreadableFile as exc:
            raise CommandError(str(exc), returncode=2) from exc
        header = {h.strip().lower() for h in table.header}
        missing = [c for c in REQUIRED_MAPPING_COLUMNS if c not in header]
        if missing:
            raise CommandError(
                f"Colonnes manquantes dans « {path} » : {', '.join(missing)} (attendu : {', '.join(MAPPING_COLUMNS)}).",
                returncode=2,
            )
        return import_mapping(
            table.dicts(), table.line_numbers or list(range(2, len(table.rows) + 2)), dry_run=dry_run
        )
