import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core.cli_output import progress_bar
from odl.core.dbvalues import db_int
from odl.core.spreadsheets import UnreadableFile
from odl.schemas.registry import SchemaNotFound, resolve
from odl.schemas.report import render_text
from odl.schemas.service import validate_file


class Command(BaseCommand):
    help = (
        "Valide un fichier CSV, XLSX ou ODS contre un schéma. Code de sortie : 0 valide, 1 non valide, "
        "2 erreur d'utilisation ou fichier illisible."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="fichier à valider (CSV , ; ou tabulation ; UTF-8 ou Latin-1 ; XLSX ; ODS)"
        )
        parser.add_argument(
            "--schema",
            required=True,
            help="NOM[@VERSION] (voir « odl schemas list »), identifiant schema.data.gouv.fr, chemin ou URL d'un Table Schema",
        )
        parser.add_argument("--format", default="text", choices=["text", "json"], help="format du rapport")
        parser.add_argument(
            "--max-errors",
            default=None,
            help="nombre maximal d'erreurs détaillées (les comptes restent exacts)",
        )
        parser.add_argument(
            "--fix", default=None, help="écrit une copie corrigée (corrections sûres) dans ce fichier"
        )
        parser.add_argument(
            "--no-referentiel",
            action="store_true",
            help="ne pas comparer codes INSEE et SIREN au référentiel",
        )
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args: Any, **options: Any) -> None:
        code = self.handle_one(
            Path(options["file"]),
            options["schema"],
            fmt=options["format"],
            max_errors=options["max_errors"],
            fix=options["fix"],
            referentiel=not options["no_referentiel"],
            progress=not options["no_progress"],
        )
        if code:
            sys.exit(code)

    def handle_one(
        self,
        path: Path,
        schema_spec: str,
        fmt: str = "text",
        max_errors: int | str | None = None,
        fix: str | None = None,
        referentiel: bool = True,
        progress: bool = False,
    ) -> int:
        limit = _max_errors(max_errors)
        try:
            schema = resolve(schema_spec)
        except SchemaNotFound as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if not path.exists() or not path.is_file():
            raise CommandError(f"Le fichier « {path} » est introuvable.", returncode=2)
        try:
            with progress_bar(progress) as update:
                result = validate_file(
                    path,
                    schema,
                    fix=Path(fix) if fix else None,
                    max_errors=limit,
                    progress=update,
                    referentiel=referentiel,
                )
        except UnreadableFile as exc:
            raise CommandError(str(exc), returncode=2) from exc
        data = result.as_dict()
        if fmt == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(render_text(data), ending="")
            if fix:
                self.stdout.write(
                    f"Copie corrigée écrite dans {fix} ({result.corrections_total} modification(s))."
                )
        return 0 if result.valid else 1


def _max_errors(value: int | str | None) -> int | None:
    """Read as text, so that « 1e23 » or « -3 » get a French message rather than argparse's English one."""
    if value is None:
        return None
    try:
        number = db_int(value, maximum=10**30)
    except ValueError as exc:
        raise CommandError(
            f"--max-errors : « {value} » n'est pas un nombre entier positif (ex. --max-errors 100).",
            returncode=2,
        ) from exc
    # Past the number of cells any file holds, the cap means « all »: polars takes 64-bit lengths.
    return min(number, 2**40)
