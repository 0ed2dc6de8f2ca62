import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from odl.core.hooks import app_hooks


class Command(BaseCommand):
    help = (
        "Supprime ce qui a dépassé sa durée de conservation : rapports de validation, copies corrigées "
        "et listes de corrections (ODL_VALIDATION_RETENTION_DAYS), réponses aux questionnaires de "
        "culture de la donnée (durée de chaque campagne). Relancé, ne supprime rien de plus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            default=None,
            help="durée de conservation des rapports de validation en jours "
            "(par défaut : ODL_VALIDATION_RETENTION_DAYS, 30)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in self.handle_one(options["days"]):
            self.stdout.write(line)

    def handle_one(self, days: str | int | None = None, *, now: dt.datetime | None = None) -> list[str]:
        value = settings.ODL_VALIDATION_RETENTION_DAYS if days is None else days
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if not 0 <= number <= 36_500:
            raise CommandError(
                f"--days : « {value} » n'est pas un nombre de jours entre 0 et 36 500.", returncode=2
            )
        # Each app purges what it keeps (``purge_expired`` on its AppConfig, odl/core/hooks.py).
        moment = now or timezone.now()
        return [hook(moment, number) for hook in app_hooks("purge_expired")]
