import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from odl.animations import planning
from odl.core import logs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Envoie aux organisateurs les rappels de suivi à 1, 3 et 6 mois des événements (que sont "
        "devenus les projets ?). Idempotent : un rappel n'est jamais envoyé deux fois."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            default="",
            help="jour de référence AAAA-MM-JJ (aujourd'hui par défaut), pour rattraper un retard",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.handle_one(options["date"])

    def handle_one(self, date: str = "") -> planning.ReminderReport:
        import datetime

        from django.core.management.base import CommandError

        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date « {date} » illisible : attendu AAAA-MM-JJ.") from None
        with logs.timed(logger, "animations.followups", date=str(today or "")) as outcome:
            report = planning.send_due_reminders(today)
            outcome.update(sent=report.sent, without_address=report.without_address)
        self.stdout.write(
            f"{report.sent} rappel(s) de suivi envoyé(s) ; {report.without_address} sans adresse de courriel."
        )
        return report
