from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Remplace le contenu de la base par une sauvegarde prise avec « odl backup ». "
        "Arrêtez le serveur web et les moissonnages avant."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="fichier de sauvegarde")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="ne pas demander de confirmation (tout le contenu actuel est remplacé)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError(
                "La restauration remplace tout le contenu actuel de la base : relancez avec --yes pour confirmer.",
                returncode=2,
            )
        try:
            self.handle_one(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(self.style.SUCCESS(f"Base restaurée depuis {options['file']}."))

    def handle_one(self, path: Path) -> None:
        restore(path)
