from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.territories.imports import ImportRefused, ImportReport, import_agents


def print_report(command: BaseCommand, report: ImportReport) -> None:
    for note in report.notes:
        command.stdout.write(f"Note : {note}")
    for line in report.lines:
        command.stdout.write(f"ligne {line.line} : {line.status} — {line.message}")
    command.stdout.write(
        f"{report.imported} ligne(s) importée(s), {report.skipped} ignorée(s). "
        "Les lignes ignorées n'ont rien modifié ; corrigez-les et réimportez le fichier."
    )


class Command(BaseCommand):
    help = (
        "Importe les effectifs (nombre d'agents) des collectivités depuis un CSV, XLSX ou ODS "
        "(colonnes : siren ou code_insee, effectif, annee, source), ou, avec --from-sirene, la tranche "
        "d'effectif salarié de Sirene de chaque commune et EPCI au-dessus du seuil de population "
        "(API de l'Annuaire des entreprises, en ligne). Un effectif importé d'un fichier reste prioritaire."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", help="fichier CSV, XLSX ou ODS")
        parser.add_argument(
            "--from-sirene",
            action="store_true",
            help="interroge l'Annuaire des entreprises (7 requêtes par seconde au plus) ; relancée, "
            "la commande reprend où elle s'est arrêtée",
        )
        parser.add_argument(
            "--max-age-days",
            type=int,
            default=30,
            help="avec --from-sirene : ne redemande pas les collectivités interrogées depuis moins de N jours "
            "(0 : toutes)",
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="avec --from-sirene : au plus N collectivités"
        )
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_sirene"]:
            if options["file"] is not None:
                raise CommandError("Indiquez un fichier OU --from-sirene, pas les deux.", returncode=2)
            self.handle_sirene(options["max_age_days"], options["limit"], not options["no_progress"])
            return
        if options["file"] is None:
            raise CommandError(
                "Indiquez le fichier des effectifs, ou --from-sirene pour les tranches de Sirene.",
                returncode=2,
            )
        try:
            report = import_agents(options["file"])
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        print_report(self, report)

    def handle_sirene(self, max_age_days: int = 30, limit: int | None = None, progress: bool = False) -> None:
        from odl.core.cli_output import progress_bar
        from odl.territories.cli import require_referentiel
        from odl.territories.sirene import SireneReport, SireneUnavailable, fetch_bands, to_ask

        require_referentiel()
        if max_age_days < 0 or (limit is not None and limit < 1):
            raise CommandError("--max-age-days et --limit attendent des nombres positifs.", returncode=2)
        pending = to_ask(max_age_days)
        total = pending.count()
        territories = list(pending[:limit] if limit else pending)
        self.stdout.write(
            f"{total} commune(s) et EPCI à interroger"
            + (f", {len(territories)} cette fois (--limit)" if limit and limit < total else "")
            + f" ; durée estimée au rythme permis : {_duration(len(territories))}."
        )
        report = SireneReport()
        try:
            with progress_bar(progress) as update:
                report = fetch_bands(
                    territories, progress=lambda done: update("Sirene", done, len(territories))
                )
        except SireneUnavailable as exc:
            left = to_ask(max_age_days).count()
            raise CommandError(
                f"{exc} Les réponses reçues sont enregistrées ; {left} collectivité(s) restent à interroger : "
                "relancez la commande, elle reprendra où elle s'est arrêtée.",
                returncode=2,
            ) from exc
        for missing in report.not_found:
            self.stdout.write(f"absente de l'Annuaire des entreprises : {missing}")
        self.stdout.write(
            f"{report.asked} collectivité(s) interrogée(s), tranche reçue pour {report.found}"
            + (f", {report.waited_429} attente(s) demandée(s) par l'API (429)" if report.waited_429 else "")
            + ". Un effectif importé d'un fichier reste prioritaire sur la tranche de Sirene."
        )


def _duration(requests: int) -> str:
    from django.conf import settings

    rate = settings.ODL_SIRENE_REQUESTS_PER_SECOND or 1
    seconds = requests / rate
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"
