from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.culture import bank, rules


class Command(BaseCommand):
    help = (
        "Banque de questions du questionnaire de culture de la donnée : « import FICHIER » remplace la banque "
        "par un fichier CSV ou YAML vérifié en entier (rien n'est changé s'il est refusé), « export » l'écrit, "
        "« default » charge la banque et les règles du projet quand la banque est vide."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["import", "export", "default"], help="import, export ou default"
        )
        parser.add_argument("file", nargs="?", default=None, help="fichier à importer (CSV ou YAML)")
        parser.add_argument(
            "--format", choices=["csv", "yaml"], default=None, help="csv ou yaml (par défaut : l'extension)"
        )
        parser.add_argument("--output", default=None, help="fichier où écrire l'export (sinon la sortie)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            self.handle_one(options["action"], options["file"], options["format"], options["output"])
        )

    def handle_one(self, action: str, file: str | None, fmt: str | None, output: str | None = None) -> str:
        if action == "default":
            stats = bank.ensure_default()
            created = rules.ensure_default()
            loaded = f"banque par défaut chargée : {stats}" if stats else "banque déjà présente, inchangée"
            return f"{loaded} ; {created} règles créées."
        if action == "export":
            data = bank.export(fmt or (Path(output).suffix.lstrip(".") if output else "yaml"))
            if output:
                Path(output).write_bytes(data)
                return f"Banque écrite dans {output}."
            return data.decode("utf-8-sig")
        if not file:
            raise CommandError(
                "Donnez le fichier à importer : odl culture_bank import banque.yaml", returncode=2
            )
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}", returncode=2)
        kind = fmt or path.suffix.lstrip(".").lower()
        try:
            stats = bank.import_bytes(path.read_bytes(), kind)
        except bank.BankError as exc:
            raise CommandError(
                f"{path.name} refusé, la banque n'a pas changé :\n" + "\n".join(f"- {e}" for e in exc.errors),
                returncode=1,
            ) from exc
        return f"Banque importée depuis {path.name} : {stats}."
