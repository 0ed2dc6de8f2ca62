"""``odl validate`` and ``odl schemas``, as programs (odl/core/programs.py): ``odl`` runs them without
Django's command machinery, ``manage.py`` through the two management modules that wrap them.

``odl validate``: one file with its full report, or many files (an ETD's folder of exports) with one
line each and a summary. Without ``--schema``, each file's schema is guessed from its header, as the web
page does, and the command says which one it chose."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odl.core.programs import Program, UsageError

if TYPE_CHECKING:
    from odl.schemas import catalogue
    from odl.schemas.registry import Schema

# What a folder is searched for; .xls is listed so that its owner reads why it is refused.
TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".ods", ".xls"}
SUMMARY_FILE = "resume.json"


@dataclass
class Outcome:
    """One file of a batch: what became of it, in the words of the summary line."""

    path: Path
    label: str
    status: str  # "valide", "non valide", "illisible", "sans schéma"
    message: str = ""
    schema: str = ""
    guessed: bool = False
    rows: int = 0
    errors: int = 0
    warnings: int = 0
    report_file: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "valide"

    def line(self) -> str:
        if self.status in ("illisible", "sans schéma"):
            return f"{self.label} : {self.status.upper()} — {self.message}"
        guess = " deviné d'après l'en-tête" if self.guessed else ""
        counts = f"{self.rows} ligne(s)"
        if not self.ok:
            counts += f", {self.errors} erreur(s)"
        if self.warnings:
            counts += f", {self.warnings} avertissement(s)"
        return f"{self.label} : {self.status.upper()} (schéma {self.schema}{guess} ; {counts})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "fichier": self.label,
            "statut": self.status,
            "schema": self.schema,
            "schema_devine": self.guessed,
            "lignes": self.rows,
            "erreurs": self.errors,
            "avertissements": self.warnings,
            "message": self.message,
            "rapport": self.report_file,
        }


class Validate(Program):
    help = (
        "Valide un ou plusieurs fichiers CSV, XLSX ou ODS (ou les fichiers d'un dossier) contre un schéma, "
        "deviné d'après l'en-tête sans --schema. Code de sortie : 0 tout est valide, 1 un fichier au moins "
        "n'est pas valide (ou illisible dans un lot), 2 erreur d'utilisation ou fichier unique illisible."
    )

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="FICHIER_OU_DOSSIER",
            help="fichiers à valider (CSV , ; ou tabulation ; UTF-8 ou Latin-1 ; XLSX ; ODS) ou dossiers, "
            "parcourus avec leurs sous-dossiers",
        )
        parser.add_argument(
            "--schema",
            default=None,
            help="NOM[@VERSION] (voir « odl schemas list »), identifiant schema.data.gouv.fr, chemin ou URL "
            "d'un Table Schema ; sans cette option, le schéma est deviné d'après l'en-tête de chaque fichier",
        )
        parser.add_argument(
            "--format",
            default="text",
            choices=["text", "json"],
            help="format du rapport (pour un lot : une ligne par fichier, ou leur liste en JSON)",
        )
        parser.add_argument(
            "--json-dir",
            default=None,
            help=f"écrit le rapport JSON de chaque fichier dans ce dossier, et la liste des fichiers dans {SUMMARY_FILE}",
        )
        parser.add_argument(
            "--max-errors",
            default=None,
            help="nombre maximal d'erreurs détaillées par fichier (les comptes restent exacts)",
        )
        parser.add_argument(
            "--fix",
            default=None,
            help="écrit une copie corrigée (corrections sûres) dans ce fichier ; un seul fichier à valider",
        )
        parser.add_argument(
            "--no-referentiel",
            action="store_true",
            help="ne pas comparer codes INSEE et SIREN au référentiel",
        )
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def run(self, options: dict[str, Any]) -> int:
        paths = [Path(p) for p in options["paths"]]
        common = {
            "fmt": options["format"],
            "max_errors": options["max_errors"],
            "referentiel": not options["no_referentiel"],
            "progress": not options["no_progress"],
            "json_dir": Path(options["json_dir"]) if options["json_dir"] else None,
        }
        if len(paths) == 1 and not paths[0].is_dir():
            code = self.handle_one(paths[0], options["schema"], fix=options["fix"], **common)
        else:
            if options["fix"]:
                raise UsageError(
                    "--fix écrit la copie corrigée d'un seul fichier : validez ce fichier seul.",
                    returncode=2,
                )
            code = self.handle_many(paths, options["schema"], **common)
        return code

    def handle_one(
        self,
        path: Path,
        schema_spec: str | None,
        fmt: str = "text",
        max_errors: int | str | None = None,
        fix: str | None = None,
        referentiel: bool = True,
        progress: bool = False,
        json_dir: Path | None = None,
    ) -> int:
        """One file and its full report; exit code 0 valid, 1 invalid (2 as UsageError)."""
        from odl.core.cli_output import progress_bar
        from odl.core.spreadsheets import UnreadableFile
        from odl.schemas.registry import SchemaNotFound
        from odl.schemas.report import render_text
        from odl.schemas.service import validate_file

        limit = _max_errors(max_errors)
        schema = _schema(schema_spec)
        if not path.exists() or not path.is_file():
            raise UsageError(f"Le fichier « {path} » est introuvable.", returncode=2)
        try:
            with progress_bar(progress) as update:
                result = validate_file(
                    path,
                    schema if schema is not None else _guess(path.name),
                    fix=Path(fix) if fix else None,
                    max_errors=limit,
                    progress=update,
                    referentiel=referentiel,
                )
        except (UnreadableFile, SchemaNotFound) as exc:
            raise UsageError(str(exc), returncode=2) from exc
        data = result.as_dict()
        guessed = f"Schéma deviné d'après l'en-tête : {result.schema.name} {result.schema.version}".rstrip()
        if fmt == "json":
            if schema is None:
                self.stderr.write(guessed + ".")
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            if schema is None:
                self.stdout.write(guessed + " (indiquez --schema pour en choisir un autre).")
            self.stdout.write(render_text(data), ending="")
            if fix:
                self.stdout.write(
                    f"Copie corrigée écrite dans {fix} ({result.corrections_total} modification(s))."
                )
        if json_dir is not None:
            _write_report(json_dir, _report_name(path, path.parent), data)
        return 0 if result.valid else 1

    def handle_many(
        self,
        paths: list[Path],
        schema_spec: str | None,
        fmt: str = "text",
        max_errors: int | str | None = None,
        referentiel: bool = True,
        progress: bool = False,
        json_dir: Path | None = None,
    ) -> int:
        """Many files, one line each and a summary; exit code 0 when every file is valid, else 1."""
        from odl.core.cli_output import progress_bar
        from odl.core.spreadsheets import UnreadableFile
        from odl.schemas.registry import SchemaNotFound
        from odl.schemas.service import validate_file

        limit = _max_errors(max_errors)
        schema = _schema(schema_spec)
        files = _collect(paths)
        outcomes: list[Outcome] = []
        with progress_bar(progress) as update:
            for index, (path, root) in enumerate(files):
                label = str(path)
                update("Fichiers", index, len(files))
                try:
                    result = validate_file(
                        path,
                        schema if schema is not None else _guess(path.name),
                        max_errors=limit,
                        referentiel=referentiel,
                    )
                except UnreadableFile as exc:
                    outcome = Outcome(path, label, "illisible", str(exc))
                except SchemaNotFound as exc:
                    outcome = Outcome(path, label, "sans schéma", str(exc))
                else:
                    outcome = Outcome(
                        path,
                        label,
                        "valide" if result.valid else "non valide",
                        schema=f"{result.schema.name} {result.schema.version}".strip(),
                        guessed=schema is None,
                        rows=result.rows,
                        errors=result.errors,
                        warnings=result.warnings,
                    )
                    if json_dir is not None:
                        outcome.report_file = _report_name(path, root)
                        _write_report(json_dir, outcome.report_file, result.as_dict())
                outcomes.append(outcome)
                if fmt == "text":
                    self.stdout.write(outcome.line())
            update("Fichiers", len(files), len(files))
        summary = [o.as_dict() for o in outcomes]
        if json_dir is not None:
            _write_report(json_dir, SUMMARY_FILE, summary)
        if fmt == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(_summary(outcomes, json_dir))
        return 0 if all(o.ok for o in outcomes) else 1


class Schemas(Program):
    help = "Schémas SCDL : « list » les montre avec leur version, « sync » les rafraîchit depuis schema.data.gouv.fr."

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
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

    def run(self, options: dict[str, Any]) -> int:
        if options["action"] == "list":
            self.handle_list(options["format"])
        else:
            self.handle_one(options.get("source"), progress=not options.get("no_progress"))
        return 0

    def handle_list(self, fmt: str) -> None:
        from odl.core.cli_output import write_table
        from odl.schemas.registry import list_schemas

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
        from odl.core.cli_output import progress_bar
        from odl.schemas import catalogue  # here: « schemas list » needs no HTTP client (httpx)

        if source is not None and not Path(source).is_dir():
            raise UsageError(f"Le dossier « {source} » n'existe pas.", returncode=2)
        origin = catalogue.Source(Path(source) if source else None)
        try:
            with progress_bar(progress) as update:
                result = catalogue.sync(origin, progress=update)
        except catalogue.CatalogueError as exc:
            raise UsageError(f"Synchronisation impossible : {exc}", returncode=2) from exc
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


def _schema(spec: str | None) -> Schema | None:
    """The schema asked for, once for every file; None when each file's header chooses."""
    from odl.schemas.registry import SchemaNotFound, resolve

    if spec is None:
        return None
    try:
        return resolve(spec)
    except SchemaNotFound as exc:
        raise UsageError(str(exc), returncode=2) from exc


def _guess(name: str) -> Callable[[list[str]], Schema]:
    """Each file's header chooses its schema, as « Deviner d'après l'en-tête » does on the web page."""
    from odl.schemas.registry import guess_from_header

    def choose(header: list[str]) -> Schema:
        return guess_from_header(header, f"« {name} »", "indiquez --schema NOM (voir « odl schemas list »)")

    return choose


def _collect(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Every file to validate with the folder it was found under (to name its JSON report)."""
    files: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in TABLE_SUFFIXES
                # Hidden files and office lock files (~$budget.xlsx) are not publications.
                and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)
            )
            if not found:
                raise UsageError(
                    f"Le dossier « {path} » ne contient aucun fichier CSV, XLSX ou ODS.", returncode=2
                )
            files.extend((p, path) for p in found)
        elif path.is_file():
            files.append((path, path.parent))
        else:
            raise UsageError(f"Le fichier « {path} » est introuvable.", returncode=2)
    return files


def _report_name(path: Path, root: Path) -> str:
    """``2024/subventions.csv`` under the folder given becomes ``2024--subventions.csv.json``."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        relative = Path(path.name)
    return "--".join(relative.parts) + ".json"


def _write_report(folder: Path, name: str, data: Any) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"Impossible d'écrire le rapport dans « {folder / name} » : {exc.strerror}.", returncode=2
        ) from exc


def _summary(outcomes: list[Outcome], json_dir: Path | None) -> str:
    order = ["valide", "non valide", "illisible", "sans schéma"]
    counts = {status: sum(o.status == status for o in outcomes) for status in order}
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    text = f"\n{len(outcomes)} fichier(s) : {', '.join(parts)}."
    if json_dir is not None:
        text += f"\nRapports JSON écrits dans {json_dir} (un par fichier validé, liste dans {SUMMARY_FILE})."
    return text


def _max_errors(value: int | str | None) -> int | None:
    """Read as text, so that « 1e23 » or « -3 » get a French message rather than argparse's English one."""
    from odl.core.dbvalues import db_int

    if value is None:
        return None
    try:
        number = db_int(value, maximum=10**30)
    except ValueError as exc:
        raise UsageError(
            f"--max-errors : « {value} » n'est pas un nombre entier positif (ex. --max-errors 100).",
            returncode=2,
        ) from exc
    # Past the number of cells any file holds, the cap means « all »: polars takes 64-bit lengths.
    return min(number, 2**40)
