from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from odl.core.cli_output import progress_bar, write_table
from odl.harvest.harvesters.base import kinds, kinds_text
from odl.harvest.harvesters.errors import SourceUrlError
from odl.harvest.harvesters.runner import STATUS_LABELS
from odl.harvest.harvesters.sources import sources_for
from odl.harvest.models import HarvestRun, HarvestSource
from odl.harvest.tasks import celery_enabled, harvest


class Command(BaseCommand):
    help = (
        "Moissonne des sources déclarées (par identifiant ou nom), ou toutes les sources actives avec --all. "
        "Sur des workers Celery en parallèle quand CELERY_BROKER_URL est défini, sinon ici."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help="identifiant ou nom exact d'une source (répétable)")
        parser.add_argument("--all", action="store_true", help="toutes les sources actives")
        parser.add_argument(
            "--kind",
            default="",
            choices=list(kinds()),
            help=f"avec --all : seulement ce type ({kinds_text(', ')})",
        )
        parser.add_argument(
            "--due",
            action="store_true",
            help="avec --all : seulement les sources dont la fréquence (jour, semaine, mois) demande un passage (pour cron)",
        )
        parser.add_argument(
            "--accept-drop",
            action="store_true",
            help="archive ce qui a disparu même quand la source renvoie nettement moins de jeux qu'au passage "
            "précédent (baisse réelle, au-delà de ODL_HARVEST_MAX_DROP)",
        )
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args: Any, **options: Any) -> None:
        runs = self.handle_one(
            options["sources"],
            all_sources=options["all"],
            kind=options["kind"],
            due=options["due"],
            progress=not options["no_progress"],
            accept_drop=options["accept_drop"],
        )
        rows = [
            [
                run.source.name,
                STATUS_LABELS.get(run.status, run.status),
                run.items_seen,
                run.items_new,
                run.items_updated,
                run.items_archived,
                run.items_failed,
                run.message,
            ]
            for run in runs
        ]
        write_table(
            self.stdout,
            "table",
            ["source", "statut", "vus", "nouveaux", "modifiés", "archivés", "en erreur", "message"],
            rows,
            None,
        )
        failed = [run for run in runs if run.status == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} source(s) sur {len(runs)} en échec.", returncode=1)

    def handle_one(
        self,
        references: list[str],
        *,
        all_sources: bool = False,
        kind: str = "",
        due: bool = False,
        progress: bool = False,
        accept_drop: bool = False,
    ) -> list[HarvestRun]:
        if all_sources == bool(references):
            raise CommandError("Indiquez des sources OU --all.", returncode=2)
        if all_sources:
            query = HarvestSource.objects.filter(active=True)
            if kind:
                query = query.filter(kind=kind)
            sources = list(query)
            if due:
                now = timezone.now()
                sources = [s for s in sources if s.is_due(now)]
                if not sources:
                    self.stderr.write("Aucune source n'est due.")
                    return []
        else:
            try:
                sources = sources_for(references)
            except SourceUrlError as exc:
                raise CommandError(str(exc), returncode=2) from exc
        if not sources:
            raise CommandError(
                "Aucune source à moissonner : déclarez-en avec « odl harvest_sources add ».", returncode=2
            )
        if celery_enabled():
            self.stderr.write(f"{len(sources)} source(s) envoyée(s) aux workers Celery…")
            return harvest(sources, trigger="celery", accept_drop=accept_drop)
        with progress_bar(progress) as update:
            runs = []
            for source in sources:

                def report(seen: int, total: int | None, name: str = source.name) -> None:
                    update(name, seen, total or seen)

                runs.extend(harvest([source], trigger="cli", progress=report, accept_drop=accept_drop))
            return runs
