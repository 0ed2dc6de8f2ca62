from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.cli_output import parse_date_option
from odl.observatory.odf_import import TYPE_LABELS, ImportError_, ImportReport, import_edition
from odl.territories.cli import require_referentiel


class Command(BaseCommand):
    help = (
        "Importe la table des organisations d'une édition de l'Observatoire open data des territoires "
        "(OpenDataFrance) comme instantané daté de l'historique. Réimporter une édition la remplace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            help="table des organisations (CSV, XLSX ou ODS), ex. ODF-Observatoire-organisations-221019.csv",
        )
        parser.add_argument("--edition", required=True, type=int, help="année de l'édition (ex. 2021)")
        parser.add_argument(
            "--date",
            default=None,
            help="date de l'instantané AAAA-MM-JJ (31 décembre de l'édition par défaut)",
        )
        parser.add_argument("--label", default=None, help="libellé de l'instantané")
        parser.add_argument(
            "--show-unmatched",
            action="store_true",
            help="liste aussi les collectivités retrouvées par leur nom (SIREN changé depuis l'édition)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.handle_one(options["file"], options["edition"], options["date"], options["label"])
        self.print_report(report, options["show_unmatched"])

    def handle_one(
        self, path: str, edition: int, date: str | None = None, label: str | None = None
    ) -> ImportReport:
        require_referentiel()
        day = parse_date_option(date)
        try:
            return import_edition(path, edition, date=day, label=label)
        except ImportError_ as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def print_report(self, report: ImportReport, show_unmatched: bool) -> None:
        snap = report.snapshot
        verb = "remplacé" if report.replaced else "créé"
        self.stdout.write(
            f"Instantané « {snap.label} » du {snap.date:%d/%m/%Y} {verb} : {report.rows} organisations."
        )
        for code, count in sorted(report.by_type.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {code:5} {count:4}  {TYPE_LABELS.get(code, 'type inconnu')}")
        self.stdout.write(
            f"Rapprochées du référentiel : {report.matched} (dont {len(report.recovered)} retrouvées par leur "
            f"nom, leur SIREN ayant changé) ; hors référentiel (pas des collectivités) : "
            f"{report.outside_referentiel} ; collectivités non rapprochées : {len(report.unmatched_collectivites)}."
        )
        if report.cleaned_sirens:
            self.stdout.write(
                f"SIREN nettoyés (espaces, caractères invisibles) : {len(report.cleaned_sirens)}."
            )
        for problem in report.rejected:
            self.stderr.write(f"Ligne {problem['ligne']} ignorée ({problem['nom']}) : {problem['raison']}.")
        if show_unmatched:
            for row in report.recovered:
                self.stdout.write(
                    f"  retrouvée ligne {row['ligne']} : {row['siren']} {row['nom']} ({row['type']}) → "
                    f"{row['territoire']}, SIREN actuel {row['siren_actuel'] or 'non renseigné'}"
                )
        # The rest is always listed: each one is a collectivité the snapshot does not count.
        for row in report.unmatched_collectivites:
            self.stdout.write(
                f"  non rapprochée ligne {row['ligne']} : {row['siren']} {row['nom']} ({row['type']}) — "
                f"{row.get('raison', 'SIREN absent du référentiel')}"
            )
