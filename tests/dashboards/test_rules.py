"""Each honesty rule on its own: what it refuses, in French, and what it lets through."""

from __future__ import annotations

from decimal import Decimal

from odl.dashboards import rules
from odl.dashboards.figures import Figure, Figures
from odl.dashboards.models import Chart, Kind, Measure


def chart(**change: object) -> Chart:
    values: dict[str, object] = {
        "title": "t",
        "measure": Measure.COUNT,
        "breakdown_column": "quartier",
        "kind": Kind.BAR,
        "method": "m",
    }
    values.update(change)
    return Chart(**values)


def figs(*values: float, methods: list[str] | None = None, **extra: object) -> Figures:
    return Figures(
        figures=[
            Figure(key=str(i), label=str(i), method="", n=3, value=v, **extra) for i, v in enumerate(values)
        ],  # type: ignore[arg-type]
        rows=3 * len(values),
        left_out=0,
        methods=methods or [],
    )


def test_a_bar_chart_starts_at_zero() -> None:
    message = rules.ZeroBaseline().check(chart(y_min=Decimal(50)), figs(60, 80))
    assert message and message.startswith(
        "un diagramme en barres commence à zéro : l'axe vertical commence ici à 50"
    )
    assert rules.ZeroBaseline().check(chart(kind=Kind.AREA, y_min=Decimal(1)), None)
    assert rules.ZeroBaseline().check(chart(y_min=Decimal(0)), None) is None
    assert rules.ZeroBaseline().check(chart(kind=Kind.LINE, y_min=Decimal(50)), figs(60, 80)) is None


def test_no_axis_hides_a_figure() -> None:
    rule = rules.NoTruncatedAxis()
    assert "tronqué : il commence à 70" in (
        rule.check(chart(kind=Kind.LINE, y_min=Decimal(70)), figs(60, 80)) or ""
    )
    assert "il s'arrête à 70" in (rule.check(chart(kind=Kind.LINE, y_max=Decimal(70)), figs(60, 80)) or "")
    assert "inversé" in (rule.check(chart(y_min=Decimal(5), y_max=Decimal(1)), None) or "")
    assert rule.check(chart(kind=Kind.LINE, y_min=Decimal(50), y_max=Decimal(100)), figs(60, 80)) is None
    assert rule.check(chart(kind=Kind.TABLE, y_min=Decimal(70)), figs(60, 80)) is None


def test_no_second_axis() -> None:
    assert "Faites deux graphiques" in (rules.NoDualAxis().check(chart(second_axis=True), None) or "")
    assert rules.NoDualAxis().check(chart(), None) is None


def test_every_figure_shows_its_n() -> None:
    broken = Figures(figures=[Figure(key="a", label="a", method="", n=None, value=1.0)], rows=1, left_out=0)  # type: ignore[arg-type]
    assert "n'a pas d'effectif (n)" in (rules.CountsShown().check(chart(), broken) or "")
    assert rules.CountsShown().check(chart(), figs(1, 2)) is None


def test_a_rate_shows_its_denominator() -> None:
    rule = rules.RateShowsDenominator()
    assert "choisissez la colonne du dénominateur" in (
        rule.check(chart(measure=Measure.RATE, value_column="a"), None) or ""
    )
    same = chart(measure=Measure.RATE, value_column="a", denominator_column="a")
    assert "la même" in (rule.check(same, None) or "")
    ok = chart(measure=Measure.RATE, value_column="a", denominator_column="b")
    assert rule.check(ok, figs(0.5, denominator=10.0)) is None
    assert "n'a pas de dénominateur" in (rule.check(ok, figs(0.5)) or "")


def test_a_change_of_method_is_never_joined() -> None:
    rule = rules.MethodBreaksSeries()
    joined = chart(kind=Kind.LINE, method_column="methode", join_series=True)
    message = rule.check(joined, figs(1, 2, methods=["A", "B"]))
    assert message and "Un changement de méthode coupe la série" in message and "« A », « B »" in message
    assert rule.check(chart(kind=Kind.LINE, method_column="methode"), figs(1, 2, methods=["A", "B"])) is None
    assert rule.check(joined, figs(1, 2, methods=["A"])) is None


def test_refusals_list_every_rule_broken_capitalised() -> None:
    found = rules.refusals(chart(y_min=Decimal(50), second_axis=True), figs(60, 80))
    assert [r.code for r in found] == ["zero", "double-axe"]
    assert found[0].message.startswith("Un diagramme en barres commence à zéro : ")
    assert len(rules.RULES) == 6
