import datetime

from odl.animations import planning
from odl.core.reminder_command import ReminderCommand


class Command(ReminderCommand):
    help = (
        "Envoie aux organisateurs les rappels de suivi à 1, 3 et 6 mois des événements (que sont "
        "devenus les projets ?). Idempotent : un rappel n'est jamais envoyé deux fois."
    )
    job = "animations.followups"
    sends = "de suivi"

    def send(self, today: datetime.date | None) -> planning.ReminderReport:
        return planning.send_due_reminders(today)
