import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.core import exports
from odl.core.cli_output import parse_date_option
from odl.observatory.indicators import IndicatorError, Measure, measure, pick_snapshot
from odl.territories.cli import add_perimeter_arguments, require_referentiel
from odl.territories.models import Perimeter, Territory
from odl.territories.targeting import CriteriaError, build_criteria

FORMATS = ("table", "json", "csv")


def flatten(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(indicator, breakdown, value) rows: the long format spreadsheets and scripts read easily."""
    rows: list[tuple[str, str, Any]] = []
    for key in (
        "collectivites",
        "obliged",
        "obliged_confirmed",
        "obliged_to_confirm",
        "open",
        "open_obliged",
        "rate_obliged",
        "population_obliged",
        "population_open",
        "population_communes",
        "population_covered",
        "rate_population_covered",
        "datasets",
        "other_organisations_open",
        "new",
        "lost",
    ):
        rows.append((key, "", data[key]))
    for row in data["by_kind"]:
        for key in ("collectivites", "obliged", "open", "open_obliged"):
            rows.append((f"by_kind.{key}", row["kind"], row[key]))
    for row in data["by_population_band"]:
        for key in ("communes", "obliged", "open", "open_obliged"):
            rows.append((f"by_population_band.{key}", row["band"], row[key]))
    for row in data["by_technology"]:
        rows.append(("by_technology.open", row["technology"], row["open"]))
    for row in data["scdl"]["schemas"]:
        rows.append(("scdl.collectivites", row["schema"], row["collectivites"]))
    rows.append(("scdl.resources", "", data["scdl"]["resources"]))
    rows.append(("scdl.checked", "", data["scdl"]["checked"]))
    rows.append(("scdl.valid", "", data["scdl"]["valid"]))
    rows.append(("scdl.valid_rate", "", data["scdl"]["valid_rate"]))
    return rows


class Command(BaseCommand):
    help = (
        "Indicateurs de l'observatoire pour un périmètre (France par défaut) à la date d'un instantané : "
        "collectivités ouvertes (toutes et parmi les obligées), taux, population couverte, répartitions, "
        "jeux, couverture SCDL, nouvelles et perdues depuis l'instantané précédent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_perimeter_arguments(parser)
        parser.add_argument(
            "--perimetre", default="", help="slug d'un périmètre enregistré (page « Mes périmètres »)"
        )
        parser.add_argument(
            "--date",
            default=None,
            help="AAAA-MM-JJ : dernier instantané à cette date ou avant (le plus récent par défaut)",
        )
        parser.add_argument("--format", default="table", choices=FORMATS, help="format de sortie")

    def handle(self, *args: Any, **options: Any) -> None:
        result = self.handle_one(
            options["region"], options["departement"], options["epci"], options["date"], options["perimetre"]
        )
        data = result.as_dict()
        fmt = options["format"]
        if fmt == "json":
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        elif fmt == "csv":
            sys.stdout.buffer.write(
                exports.to_csv(["indicateur", "ventilation", "valeur"], flatten(data), ",").removeprefix(
                    "\ufeff".encode()
                )
            )
        else:
            self.print_table(result, data)

    def handle_one(
        self,
        regions: list[str],
        departements: list[str],
        epcis: list[str],
        date: str | None = None,
        perimetre: str = "",
    ) -> Measure:
        require_referentiel()
        day = parse_date_option(date)
        try:
            if perimetre:
                saved = Perimeter.objects.filter(slug=perimetre).first()
                if saved is None:
                    raise CriteriaError(f"Périmètre enregistré inconnu : « {perimetre} ».")
                criteria = saved.criteria()
                label = saved.name
            else:
                criteria = build_criteria(regions=regions, departements=departements, epcis=epcis)
                label = perimeter_label(criteria.regions, criteria.departements, criteria.epcis)
            snapshot = pick_snapshot(day)
        except (CriteriaError, IndicatorError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        return measure(criteria, snapshot, label)

    def print_table(self, result: Measure, data: dict[str, Any]) -> None:
        from rich.console import Console
        from rich.table import Table

        console = Console(file=sys.stdout, width=160)
        snap = data["snapshot"]
        console.print(f"[bold]{data['perimeter']}[/bold] — instantané « {snap['label']} » du {snap['date']}")
        table = Table("indicateur", "ventilation", "valeur")
        for key, breakdown, value in flatten(data):
            table.add_row(key, str(breakdown), "" if value is None else str(value))
        console.print(table)
        console.print(f"Dénominateur du taux : {data['denominator']}.")
        console.print(f"Méthode : {snap['method']}")


def perimeter_label(regions: tuple[str, ...], departements: tuple[str, ...], epcis: tuple[str, ...]) -> str:
    if not (regions or departements or epcis):
        return "France"
    names = []
    for kind, codes in (("region", regions), ("departement", departements), ("epci", epcis)):
        for territory in Territory.objects.filter(kind=kind, code__in=codes).order_by("code"):
            names.append(territory.nom)
    return ", ".join(names)
