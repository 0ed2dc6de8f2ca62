"""The figures of a chart: counts, sums of French numbers, means, rates with their denominator, years,
the series broken by a change of method, the cache, and the raw rows behind a figure."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from odl.dashboards import figures
from odl.dashboards.figures import Figures, FiguresRefused, Spec, compute
from odl.dashboards.models import Chart, Measure
from tests.dashboards.conftest import HEADER, ROWS

FRAME = pl.DataFrame(
    [dict(zip(HEADER, r, strict=True)) for r in ROWS], schema=dict.fromkeys(HEADER, pl.String)
)


def spec(**change: str) -> Spec:
    values = {
        "measure": "count",
        "value_column": "",
        "denominator_column": "",
        "breakdown_column": "quartier",
        "breakdown": "category",
        "method_column": "",
    }
    values.update(change)
    return Spec(**values)


def by_label(result: Figures) -> dict[str, Any]:
    return {(f.label, f.method): f for f in result.figures}


def test_a_count_is_the_number_of_rows_per_value() -> None:
    result = compute(FRAME, spec())
    found = {k[0]: (f.value, f.n) for k, f in by_label(result).items()}
    assert found == {"Centre": (3.0, 3), "Nord": (2.0, 2), "Sud": (1.0, 1)}
    assert result.rows == 6
    assert result.left_out == 0


def test_a_sum_reads_french_decimals_and_leaves_out_what_is_not_a_number() -> None:
    result = compute(FRAME, spec(measure="sum", value_column="valeur"))
    found = by_label(result)
    assert found[("Centre", "")].value == pytest.approx(52.5)
    assert found[("Nord", "")].value == pytest.approx(7.5)
    assert found[("Nord", "")].n == 1  # the formula is not a number: left out, and said so
    assert result.left_out == 1


def test_a_mean_divides_by_its_own_n() -> None:
    found = by_label(compute(FRAME, spec(measure="mean", value_column="valeur")))
    assert found[("Centre", "")].value == pytest.approx(52.5 / 3)


def test_a_rate_carries_its_numerator_and_denominator() -> None:
    result = compute(FRAME, spec(measure="rate", value_column="depassements", denominator_column="mesures"))
    centre = by_label(result)[("Centre", "")]
    assert (centre.numerator, centre.denominator, centre.n) == (16.0, 70.0, 3)
    assert centre.value == pytest.approx(16 / 70)
    sud = by_label(result)[("Sud", "")]
    assert sud.denominator == 0.0 and sud.value is None  # never a division by zero shown as a rate


def test_a_year_breakdown_reads_the_year_of_a_date_in_order() -> None:
    result = compute(FRAME, spec(breakdown_column="annee", breakdown="year"))
    assert [(f.label, f.n) for f in result.figures] == [
        ("2021", 2),
        ("2022", 1),
        ("2023", 2),
        ("(date illisible)", 1),
    ]


def test_a_change_of_method_makes_two_series() -> None:
    result = compute(FRAME, spec(breakdown_column="annee", breakdown="year", method_column="methode"))
    series = result.series()
    assert [m for m, _ in series] == ["capteur A", "capteur B"]
    assert [f.label for f in series[0][1]] == ["2021", "2022"]
    assert [f.label for f in series[1][1]] == ["2023", "(date illisible)"]


def test_a_missing_column_or_too_many_values_is_refused_in_french() -> None:
    with pytest.raises(FiguresRefused, match="« inconnue » \\(colonne de la ventilation\\) n'existe pas"):
        compute(FRAME, spec(breakdown_column="inconnue"))
    many = pl.DataFrame({"v": [str(i) for i in range(40)]})
    with pytest.raises(FiguresRefused, match="40 valeurs différentes"):
        compute(many, spec(breakdown_column="v"))


def test_figures_are_computed_once_per_source_and_spec(chart: Chart, monkeypatch: Any) -> None:
    calls = []
    real = figures.compute

    def counting(frame: pl.DataFrame, spec: Spec) -> Figures:
        calls.append(spec)
        return real(frame, spec)

    monkeypatch.setattr(figures, "compute", counting)
    first = figures.figures_of(chart)
    again = figures.figures_of(chart)
    assert len(calls) == 1
    assert again.figures == first.figures
    chart.measure = Measure.COUNT
    figures.figures_of(chart)
    assert len(calls) == 2


def test_the_raw_rows_of_a_figure_are_its_rows_and_safe_in_a_spreadsheet(chart: Chart) -> None:
    header, frame = figures.raw_rows(chart, "Nord", None)
    assert frame.height == 2
    body = b"".join(figures.stream_csv(header, frame)).decode("utf-8-sig")
    assert body.splitlines()[0] == ";".join(HEADER)
    assert "'=HYPERLINK" in body
    assert "Centre" not in body


def test_the_streamed_rows_neutralise_exactly_what_the_export_helper_does() -> None:
    from odl.core.exports import neutralise

    cells = [
        "=1+1",
        "  +33 6",
        "-2",
        "@x",
        "\tx",
        "\rx",
        "\uff1dA",
        "\u3000=x",
        "a=b",
        "1 = 1",
        "",
        "ok",
        "'=x",
        '"q"; r',
    ]
    frame = pl.DataFrame({"c": cells})
    body = b"".join(figures.stream_csv(["c"], frame)).decode("utf-8-sig")
    import csv
    import io

    read = [r[0] if r else "" for r in csv.reader(io.StringIO(body, newline=""), delimiter=";")][1:]
    assert read == [neutralise(c) for c in cells]
