from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from odl.datagouv import push as service
from odl.datagouv.models import Push, PushStatus


class Command(BaseCommand):
    help = (
        "Réessaie les envois vers data.gouv.fr qui ont échoué (serveur en erreur, délai dépassé, limite "
        "d'appels) et dont l'attente est passée. Sans doublon : un jeu de données déjà créé est mis à jour. "
        "À lancer régulièrement (cron, toutes les 10 minutes par exemple)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="réessayer tout de suite chaque envoi réessayable, même si son attente n'est pas finie",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.handle_one(now=options["now"])

    def handle_one(self, now: bool = False) -> list[Push]:
        done = service.retry_due(everything=now)
        sent = [p for p in done if p.status == PushStatus.DONE]
        for record in done:
            where = record.link.territory
            if record.status == PushStatus.DONE:
                self.stdout.write(f"envoyé : {record.title} ({where})")
            else:
                self.stdout.write(f"échec : {record.title} ({where}) : {record.error}")
        waiting = Push.objects.filter(status=PushStatus.FAILED, retryable=True).count()
        self.stdout.write(f"{len(sent)} envoi(s) réussi(s) sur {len(done)} essayé(s) ; {waiting} en attente.")
        return done
