from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from odl.core.backup import BackupError, backup, engine


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de la plateforme dans un fichier (SQLite : copie cohérente même pendant un "
        "moissonnage ; PostgreSQL : pg_dump). À restaurer avec « odl restore »."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="fichier de sauvegarde (par défaut : var/sauvegardes/odl-AAAAMMJJ-HHMMSS.sqlite3 ou .dump)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = self.handle_one(options["output"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {path} ({path.stat().st_size} octets)."))

    def handle_one(self, output: Path | None) -> Path:
        if output is None:
            from django.conf import settings

            folder = Path(settings.DATA_DIR) / "sauvegardes"
            folder.mkdir(parents=True, exist_ok=True)
            suffix = ".sqlite3" if engine() == "sqlite" else ".dump"
            output = folder / f"odl-{timezone.localtime():%Y%m%d-%H%M%S}{suffix}"
        return backup(output)
