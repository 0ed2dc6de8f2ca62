"""The honesty rules of a chart: one small class per rule, each with its French refusal.

The builder checks them before saving a chart (and says why it refuses); the public page, the embed and
the exports check them again on every render, so a chart that became dishonest (its source changed, a
rule was added) is not drawn: its figures table stays, with the reason. ``RULES`` is the list shown in
the builder and in ``docs/dashboards.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from odl.dashboards.figures import Figures, french
from odl.dashboards.models import Chart, Kind, Measure

KIND_NAMES = {Kind.BAR: "un diagramme en barres", Kind.AREA: "un diagramme en aires"}


class Rule(Protocol):
    code: str
    summary: str

    def check(self, chart: Chart, figures: Figures | None) -> str | None:
        """None when the chart keeps the rule; otherwise the French reason of the refusal."""


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def _number(value: Decimal | float) -> str:
    return french(float(value))


class ZeroBaseline:
    code = "zero"
    summary = "Les barres et les aires commencent à zéro : leur hauteur est la valeur."

    def check(self, chart: Chart, figures: Figures | None) -> str | None:
        if chart.kind in KIND_NAMES and chart.y_min is not None and chart.y_min != 0:
            return (
                f"{KIND_NAMES[Kind(chart.kind)]} commence à zéro : l'axe vertical commence ici à "
                f"{_number(chart.y_min)}, ce qui change la hauteur des barres et grossit les écarts. "
                "Laissez « début de l'axe vertical » vide ou à 0, ou choisissez une courbe."
            )
        return None


class NoTruncatedAxis:
    code = "tronque"
    summary = "Aucun axe tronqué : l'axe vertical contient tous les chiffres du graphique."

    def check(self, chart: Chart, figures: Figures | None) -> str | None:
        if chart.kind == Kind.TABLE:
            return None
        if chart.y_min is not None and chart.y_max is not None and chart.y_min >= chart.y_max:
            return (
                f"L'axe vertical est inversé ou vide : il commence à {_number(chart.y_min)} et finit à "
                f"{_number(chart.y_max)}. Le début doit être plus petit que la fin."
            )
        values = [f.value for f in (figures.figures if figures else []) if f.value is not None]
        if not values:
            return None
        low, high = min(values), max(values)
        if chart.y_min is not None and float(chart.y_min) > low:
            return (
                f"L'axe vertical est tronqué : il commence à {_number(chart.y_min)} alors qu'un chiffre vaut "
                f"{french(low)}, qui disparaîtrait du graphique. Faites commencer l'axe à {french(low)} "
                "au plus, ou laissez le début vide."
            )
        if chart.y_max is not None and float(chart.y_max) < high:
            return (
                f"L'axe vertical est tronqué : il s'arrête à {_number(chart.y_max)} alors qu'un chiffre vaut "
                f"{french(high)}. Laissez la fin de l'axe vide ou mettez-la à {french(high)} au moins."
            )
        return None


class NoDualAxis:
    code = "double-axe"
    summary = "Pas de second axe : deux échelles sur un graphique font voir le lien que l'on veut."

    def check(self, chart: Chart, figures: Figures | None) -> str | None:
        if chart.second_axis:
            return (
                "Pas de second axe vertical : deux échelles sur un même graphique permettent de faire "
                "croire à n'importe quel lien entre deux courbes. Faites deux graphiques, chacun sur son axe."
            )
        return None


class CountsShown:
    code = "effectifs"
    summary = "Chaque chiffre montre son effectif (n), le nombre de lignes sur lequel il est calculé."

    def check(self, chart: Chart, figures: Figures | None) -> str | None:
        for figure in figures.figures if figures else []:
            if not isinstance(figure.n, int) or figure.n < 0:
                return (
                    f"Le chiffre « {figure.label[:60]} » n'a pas d'effectif (n) : chaque chiffre dit sur "
                    "combien de lignes il est calculé. Recalculez le graphique."
                )
        return None


class RateShowsDenominator:
    code = "denominateur"
    summary = "Un taux montre son dénominateur : la part de quoi, sur combien."

    def check(self, chart: Chart, figures: Figures | None) -> str | None:
        if chart.measure != Measure.RATE:
            return None
        if not chart.denominator_column:
            return (
                "Un taux montre son dénominateur : choisissez la colonne du dénominateur (le total dont "
                "le numérateur est une part)."
            )
        if chart.denominator_column == chart.value_column:
            return "Un taux divise deux colonnes différentes : le numérateur et le dénominateur sont la même."
        for figure in figures.figures if figures else []:
            if figure.n and figure.denominator is None:
                return (
                    f"Le taux « {figure.label[:60]} » n'a pas de dénominateur : il ne peut pas être montré "
                    "sans lui."
                )
        return None


class MethodBreaksSeries:
    code = "methode"
    summary = "Un changement de méthode coupe la série : deux méthodes, deux séries, jamais reliées."

    def check(self, chart: Chart, figures: Figures | None) -> str | None:
        methods = figures.methods if figures else []
        if chart.join_series and len(methods) > 1:
            shown = ", ".join(f"« {m or 'non renseignée'} »" for m in methods[:4])
            return (
                f"Un changement de méthode coupe la série : les chiffres sont mesurés selon {len(methods)} "
                f"méthodes ({shown}) et ne se comparent pas d'une méthode à l'autre. Décochez « relier les "
                "points malgré un changement de méthode » : chaque méthode aura sa série."
            )
        if chart.join_series and not chart.method_column:
            return (
                "Relier les points malgré un changement de méthode demande de dire où est la méthode : "
                "choisissez la colonne de la méthode, ou décochez cette case."
            )
        return None


RULES: tuple[Rule, ...] = (
    ZeroBaseline(),
    NoTruncatedAxis(),
    NoDualAxis(),
    CountsShown(),
    RateShowsDenominator(),
    MethodBreaksSeries(),
)


def refusals(chart: Chart, figures: Figures | None) -> list[Refusal]:
    """Every rule the chart breaks, in the order of ``RULES``."""
    found = []
    for rule in RULES:
        message = rule.check(chart, figures)
        if message:
            found.append(Refusal(rule.code, message[0].upper() + message[1:]))
    return found
