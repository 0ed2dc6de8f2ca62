from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.cli_output import write_table
from odl.core.text import fold
from odl.harvest.harvesters.base import REGISTRY, kinds, kinds_text
from odl.harvest.harvesters.errors import HarvestError, SourceUrlError
from odl.harvest.harvesters.runner import preview
from odl.harvest.harvesters.sources import (
    SCHEDULES,
    check_source,
    find_territory,
    parse_filters,
    sources_for,
)
from odl.harvest.models import HarvestSource


class Command(BaseCommand):
    help = "Déclare, liste, teste ou retire les sources de moissonnage (list, add, test, remove)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="liste les sources déclarées")
        add = sub.add_parser("add", help="déclare une source")
        add.add_argument("--name", required=True, help="nom affiché de la source")
        add.add_argument("--kind", required=True, choices=list(kinds()), help=f"type : {kinds_text()}")
        add.add_argument("--url", required=True, help="adresse du portail ou du catalogue")
        add.add_argument("--organisation", default="", help="filtre : organisation (data.gouv.fr, CKAN)")
        add.add_argument("--publisher", default="", help="filtre : éditeur (Opendatasoft, DCAT)")
        add.add_argument("--tags", default="", help="filtre : mots-clés séparés par des virgules")
        add.add_argument(
            "--organisations-csv",
            default="",
            help="data.gouv.fr (export CSV) : URL de l'export des organisations",
        )
        add.add_argument(
            "--owner",
            default="",
            help="ATD propriétaire (ex. departement:35) ; vide ou « nationale » = source nationale",
        )
        add.add_argument(
            "--schedule", default="weekly", choices=list(SCHEDULES), help="fréquence de moissonnage"
        )
        add.add_argument(
            "--test",
            action="store_true",
            help="moissonne une première page sans rien enregistrer avant de déclarer",
        )
        test = sub.add_parser(
            "test", help="moissonne la première page d'une source déclarée, sans rien enregistrer"
        )
        test.add_argument("source", help="identifiant ou nom de la source")
        remove = sub.add_parser("remove", help="désactive une source (ses jeux moissonnés restent)")
        remove.add_argument("source", help="identifiant ou nom de la source")

    def handle(self, *args: Any, **options: Any) -> None:
        self.handle_one(**options)

    def handle_one(self, action: str, **options: Any) -> HarvestSource | None:
        try:
            if action == "list":
                rows = [
                    [
                        s.pk,
                        s.name,
                        s.kind,
                        s.url,
                        s.owner.nom if s.owner else "nationale",
                        s.schedule,
                        "oui" if s.active else "non",
                    ]
                    for s in HarvestSource.objects.select_related("owner")
                ]
                write_table(
                    self.stdout,
                    "table",
                    ["id", "nom", "type", "adresse", "propriétaire", "fréquence", "active"],
                    rows,
                    None,
                )
                return None
            if action in ("test", "remove"):
                source = sources_for([options["source"]])[0]
                if action == "remove":
                    source.active = False
                    source.save(update_fields=["active"])
                    self.stdout.write(f"Source « {source.name} » désactivée.")
                    return source
                self._preview(source.kind, source.harvest_url, source.filters)
                return source
            filters = parse_filters(
                options.get("organisation", ""),
                options.get("publisher", ""),
                options.get("tags", ""),
                organisations_csv=options.get("organisations_csv", ""),
            )
            url = check_source(options["kind"], options["url"], filters)
            owner_ref = (options.get("owner") or "").strip()
            # « nationale » is how the list shows a source without an owner.
            national = fold(owner_ref) in ("", "national", "nationale", "aucun", "aucune")
            owner = None if national else find_territory(owner_ref)
            if options.get("test"):
                self._preview(options["kind"], url, filters)
            source = HarvestSource.objects.create(
                name=options["name"],
                kind=options["kind"],
                url=url,
                filters=filters,
                owner=owner,
                schedule=options.get("schedule") or "weekly",
                technology=REGISTRY[options["kind"]].declared_technology(),
            )
            self.stdout.write(
                f"Source « {source.name} » déclarée (id {source.pk}). Moissonnez-la : odl harvest {source.pk}"
            )
            return source
        except (SourceUrlError, HarvestError) as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _preview(self, kind: str, url: str, filters: dict[str, Any]) -> None:
        page = preview(kind, url, filters)
        self.stdout.write(
            f"Première page : {len(page.items)} jeu(x)"
            + (f" sur {page.total}" if page.total is not None else "")
        )
        rows = [
            [i.remote_id[:60], i.title[:70], i.publisher.name[:40] if i.publisher else ""]
            for i in page.items[:20]
        ]
        write_table(self.stdout, "table", ["identifiant", "titre", "éditeur"], rows, None)
