from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.harvest.models import HarvestSource
from odl.reuses.harvest import Report, harvest_reuses


class Command(BaseCommand):
    help = (
        "Moissonne depuis data.gouv.fr les réutilisations des jeux de données connus de l'observatoire "
        "(par jeu et par organisation) ; lancée aussi après chaque moissonnage. Les réutilisations "
        "disparues sont archivées, jamais supprimées."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "sources", nargs="*", help="identifiant d'une source data.gouv.fr (toutes les actives par défaut)"
        )
        parser.add_argument("--no-images", action="store_true", help="sans télécharger les images")

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.handle_one(options["sources"], images=not options["no_images"])
        for error in report.errors[:50]:
            self.stderr.write(error)
        if report.errors and not report.seen:
            raise CommandError(report.summary(), returncode=1)

    def handle_one(self, references: list[str], *, images: bool = True) -> Report:
        sources = None
        if references:
            wrong = [r for r in references if not r.isdigit()]
            if wrong:
                raise CommandError(f"Identifiants de source illisibles : {', '.join(wrong)}.", returncode=2)
            sources = list(HarvestSource.objects.filter(pk__in=[int(r) for r in references], kind="datagouv"))
            if len(sources) != len(set(references)):
                raise CommandError("Source data.gouv.fr introuvable parmi celles indiquées.", returncode=2)
        report = harvest_reuses(sources, with_images=images)
        self.stdout.write(report.summary())
        return report
