import datetime

from odl.core.reminder_command import ReminderCommand
from odl.publishing import reminders


class Command(ReminderCommand):
    help = (
        "Envoie un courriel aux agents de chaque collectivité dont un jeu publié attend sa mise à jour "
        "(fréquence déclarée dépassée). Un seul rappel par version publiée."
    )
    job = "publishing.reminders"
    sends = "de mise à jour"
    date_help = "jour de référence AAAA-MM-JJ (aujourd'hui par défaut)"

    def send(self, today: datetime.date | None) -> reminders.ReminderReport:
        return reminders.send_update_reminders(today)
