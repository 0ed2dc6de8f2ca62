"""The shape of the commands that send reminders by e-mail on a given day (follow-ups of animations,
updates of published datasets): a ``--date`` to catch up a missed day, a start/end log line, and one
French summary. Each command says what it sends (``sends``) and how (``send``)."""

from __future__ import annotations

import datetime
import logging
from typing import Any, Protocol

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core import logs


class Sent(Protocol):
    sent: int
    without_address: int


class ReminderCommand(BaseCommand):
    # The job's name in the logs (``animations.followups``) and the words of the summary (« de suivi »).
    job = ""
    sends = ""
    date_help = "jour de référence AAAA-MM-JJ (aujourd'hui par défaut), pour rattraper un retard"

    def send(self, today: datetime.date | None) -> Any:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help=self.date_help)

    def handle(self, *args: Any, **options: Any) -> None:
        self.handle_one(options["date"])

    def handle_one(self, date: str = "") -> Any:
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date « {date} » illisible : attendu AAAA-MM-JJ.") from None
        logger = logging.getLogger(type(self).__module__)
        with logs.timed(logger, self.job, date=str(today or "")) as outcome:
            report: Sent = self.send(today)
            outcome.update(sent=report.sent, without_address=report.without_address)
        self.stdout.write(
            f"{report.sent} rappel(s) {self.sends} envoyé(s) ; {report.without_address} sans adresse de courriel."
        )
        return report
