import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.programme.commitments import CheckStats, check_commitments


class Command(BaseCommand):
    help = (
        "Met à jour les engagements des collectivités accompagnées : « tenu » quand l'observatoire voit le "
        "jeu SCDL promis publié, « en retard » après l'échéance ; les statuts fixés à la main sont gardés. "
        "Lancée d'elle-même après chaque instantané ; à la main ou par cron sinon."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", default=None, help="date du jour AAAA-MM-JJ pour les échéances (aujourd'hui par défaut)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Engagements : {self.handle_one(options['date'])}.")

    def handle_one(self, date: str | None = None) -> CheckStats:
        day = None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"Date « {date} » invalide : attendu AAAA-MM-JJ.", returncode=2) from exc
        return check_commitments(day)
