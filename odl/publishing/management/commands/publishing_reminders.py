import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core import logs
from odl.publishing import reminders

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Envoie un courriel aux agents de chaque collectivité dont un jeu publié attend sa mise à jour "
        "(fréquence déclarée dépassée). Un seul rappel par version publiée."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            default="",
            help="jour de référence AAAA-MM-JJ (aujourd'hui par défaut)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.handle_one(options["date"])

    def handle_one(self, date: str = "") -> reminders.ReminderReport:
        import datetime

        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date « {date} » illisible : attendu AAAA-MM-JJ.") from None
        with logs.timed(logger, "publishing.reminders", date=str(today or "")) as outcome:
            report = reminders.send_update_reminders(today)
            outcome.update(sent=report.sent, without_address=report.without_address)
        self.stdout.write(
            f"{report.sent} rappel(s) de mise à jour envoyé(s) ; {report.without_address} sans adresse de courriel."
        )
        return report
