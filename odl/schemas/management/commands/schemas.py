from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.cli_output import progress_bar, write_table
from odl.schemas.registry import list_schemas

if TYPE_CHECKING:
    from odl.schemas import catalogue


class Command(BaseCommand):
    help = "Schémas SCDL : « list » les montre avec leur version, « sync » les rafraîchit depuis schema.data.gouv.fr."
    # Files only: neither the URL configuration nor the models need checking (and odl.cli starts it lean).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,sync}")
        lister = sub.add_parser("list", help="liste les schémas disponibles hors ligne et leurs versions")
        lister.add_argument(
            "--format", default="table", choices=["table", "csv", "json"], help="format de sortie"
        )
        syncer = sub.add_parser(
            "sync", help="rafraîchit les schémas depuis le catalogue de schema.data.gouv.fr"
        )
        syncer.add_argument(
            "--from",
            dest="source",
            default=None,
            help="dossier contenant une copie locale du catalogue (schemas.json et schemas/…), au lieu d'Internet",
        )
        syncer.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self.handle_list(options["format"])
        else:
            self.handle_one(options.get("source"), progress=not options.get("no_progress"))

    def handle_list(self, fmt: str) -> None:
        rows = list_schemas()
        header = ["nom", "identifiant", "version", "versions connues", "titre", "origine"]
        table = [
            [
                r["nom"],
                r["identifiant"],
                r["version"] or "—",
                ", ".join(r["versions"]),
                r["titre"],
                r["origine"],
            ]
            for r in rows
        ]
        write_table(self.stdout, fmt, header, table, None, json_rows=rows)

    def handle_one(self, source: str | None, progress: bool = False) -> catalogue.SyncResult:
        from odl.schemas import catalogue  # here: « schemas list » needs no HTTP client (httpx)

        if source is not None and not Path(source).is_dir():
            raise CommandError(f"Le dossier « {source} » n'existe pas.", returncode=2)
        origin = catalogue.Source(Path(source) if source else None)
        try:
            with progress_bar(progress) as update:
                result = catalogue.sync(origin, progress=update)
        except catalogue.CatalogueError as exc:
            raise CommandError(f"Synchronisation impossible : {exc}", returncode=2) from exc
        self.stdout.write(f"Catalogue lu : {result.catalogue}")
        self.stdout.write(f"{len(result.stored)} fichier(s) de schéma enregistré(s).")
        for ident, version in result.stored:
            self.stdout.write(f"  + {ident} {version}")
        if result.missing:
            self.stdout.write(
                f"{len(result.missing)} version(s) listée(s) par le catalogue mais non récupérée(s) "
                "(les schémas embarqués restent utilisés) :"
            )
            for ident, version, reason in result.missing:
                self.stdout.write(f"  - {ident} {version} : {reason}")
        if result.skipped:
            self.stdout.write(f"{len(result.skipped)} schéma(s) ignoré(s) : ce ne sont pas des Table Schema.")
        return result
