from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.schemas.purge import PurgeResult, purge_validations


class Command(BaseCommand):
    help = (
        "Supprime les rapports de validation, les copies corrigées et les listes de corrections plus "
        "anciens que la durée de conservation (ODL_VALIDATION_RETENTION_DAYS). Sans effet si rien n'a expiré."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            default=None,
            help="durée de conservation en jours (par défaut : ODL_VALIDATION_RETENTION_DAYS, 30)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = self.handle_one(options["days"])
        self.stdout.write(f"{result.runs} rapport(s) de validation et {result.files} fichier(s) supprimé(s).")

    def handle_one(self, days: str | int | None = None) -> PurgeResult:
        value = settings.ODL_VALIDATION_RETENTION_DAYS if days is None else days
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if not 0 <= number <= 36_500:
            raise CommandError(
                f"--days : « {value} » n'est pas un nombre de jours entre 0 et 36 500.", returncode=2
            )
        return purge_validations(number)
