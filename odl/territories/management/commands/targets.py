from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.cli_output import TABLE_FORMATS, write_table
from odl.territories.cli import add_perimeter_arguments, require_referentiel
from odl.territories.targeting import (
    EXPORT_COLUMNS,
    CriteriaError,
    build_criteria,
    compute_targets,
    export_rows,
)


class Command(BaseCommand):
    help = (
        "Liste les collectivités d'un périmètre que la loi oblige à ouvrir leurs données "
        "(toutes avec --all). Plusieurs --region/--departement/--epci se cumulent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_perimeter_arguments(parser)
        parser.add_argument(
            "--kind",
            action="append",
            default=[],
            choices=["commune", "epci", "departement", "region"],
            help="type de collectivité (répétable)",
        )
        parser.add_argument("--min-population", default=None, help="population minimale (incluse)")
        parser.add_argument("--max-population", default=None, help="population maximale (incluse)")
        parser.add_argument(
            "--threshold", default=None, help="seuil de population de la loi (3500 par défaut)"
        )
        parser.add_argument("--all", action="store_true", help="toutes les collectivités, obligées ou non")
        parser.add_argument(
            "--search", default="", help="recherche par nom, code INSEE, SIREN ou code postal"
        )
        parser.add_argument(
            "--sort", default="", help="colonne de tri, préfixée de - pour l'ordre décroissant"
        )
        parser.add_argument("--format", default="table", choices=TABLE_FORMATS, help="format de sortie")
        parser.add_argument(
            "--delimiter", default=",", help="séparateur CSV (« , » par défaut, « ; » pour Excel)"
        )
        parser.add_argument("--output", default=None, help="fichier de sortie (obligatoire pour xlsx et ods)")

    def handle(self, *args: Any, **options: Any) -> None:
        require_referentiel()
        try:
            criteria = build_criteria(
                regions=options["region"],
                departements=options["departement"],
                epcis=options["epci"],
                kinds=options["kind"],
                threshold=options["threshold"],
                min_population=options["min_population"],
                max_population=options["max_population"],
                include_all=options["all"],
                query=options["search"],
                sort=options["sort"],
            )
        except CriteriaError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        result = compute_targets(criteria)
        rows = export_rows(result)
        json_rows = [{col: row[col] for col in EXPORT_COLUMNS} for row in result.rows]
        write_table(
            self.stdout,
            options["format"],
            EXPORT_COLUMNS,
            rows,
            options["output"],
            options["delimiter"],
            json_rows,
        )
        if options["format"] == "table" or options["output"]:
            summary = result.summary
            parts = [f"{k['count']} {k['label']}" for k in summary["by_kind"] if k["count"]]
            self.stderr.write(f"{summary['total']} collectivités : " + ", ".join(parts))
