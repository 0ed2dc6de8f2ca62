from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.cli_output import progress_bar
from odl.territories.loader import ReferentielError, default_source, load_referentiel
from odl.territories.models import ReferentielLoad


class Command(BaseCommand):
    help = (
        "Charge ou met à jour le référentiel des collectivités (communes, EPCI, départements, régions) "
        "depuis le paquet npm @etalab/decoupage-administratif. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help="dossier contenant communes.json, epci.json… (par défaut : le paquet npm installé)",
        )
        parser.add_argument(
            "--cog-year", type=int, default=None, help="millésime du COG, si la version ne le dit pas"
        )
        parser.add_argument(
            "--millesime", type=int, default=None, help="millésime des populations (par défaut : COG − 3)"
        )
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args: Any, **options: Any) -> None:
        record = self.handle_one(
            options["source"], options["cog_year"], options["millesime"], not options["no_progress"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Référentiel {record.source} {record.version} chargé (COG {record.cog_year}, "
                f"populations municipales millésime {record.population_millesime}) : "
                f"{record.created} créées, {record.updated} mises à jour, {record.unchanged} inchangées, "
                f"{record.retired} retirées."
            )
        )

    def handle_one(
        self, source: Path | None, cog_year: int | None, millesime: int | None, progress: bool = False
    ) -> ReferentielLoad:
        try:
            with progress_bar(progress) as update:
                return load_referentiel(
                    source or default_source(), cog_year=cog_year, millesime=millesime, progress=update
                )
        except ReferentielError as exc:
            raise CommandError(str(exc), returncode=2) from exc
