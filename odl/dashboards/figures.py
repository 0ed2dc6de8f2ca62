"""The figures of a chart, computed with polars once per (source checksum, measure, breakdown, method).

A figure is one value of the breakdown (a category or a year) and, when the chart names a method column,
one method: the same year measured two ways gives two figures, in two series. Every figure carries its
``n`` (the rows it is computed on) and, for a rate, its numerator and denominator. The computed figures
are kept in Django's cache under a hash of the source's checksum and the chart's spec, so a page shows
them without reading the source again; the raw rows behind a figure are streamed from the source.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import polars as pl
from django.core.cache import cache

from odl.core.exports import FORMULA_PATTERN, neutralise
from odl.dashboards import sources
from odl.dashboards.models import Breakdown, Chart, Measure

# Bump when the computation changes: figures kept in the cache are then computed again.
FIGURES_VERSION = "1"
CACHE_SECONDS = 7 * 24 * 3600
MAX_VALUES = 30
EMPTY = "(non renseigné)"
NO_YEAR = "(date illisible)"
YEAR = r"((?:1[89]|2[01])\d{2})"


class FiguresRefused(Exception):
    """The chart's columns do not fit its source; the message is in French."""


@dataclass(frozen=True)
class Spec:
    measure: str
    value_column: str
    denominator_column: str
    breakdown_column: str
    breakdown: str
    method_column: str

    @classmethod
    def of(cls, chart: Chart) -> Spec:
        return cls(
            measure=chart.measure,
            value_column=chart.value_column if chart.measure != Measure.COUNT else "",
            denominator_column=chart.denominator_column if chart.measure == Measure.RATE else "",
            breakdown_column=chart.breakdown_column,
            breakdown=chart.breakdown,
            method_column=chart.method_column,
        )


@dataclass(frozen=True)
class Figure:
    key: str  # the breakdown's value as filtered in the raw rows ("" for an empty cell)
    label: str
    method: str
    n: int
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class Figures:
    figures: list[Figure]
    rows: int  # rows of the source
    left_out: int  # rows whose measured cell is empty or not a number
    methods: list[str] = field(default_factory=list)

    def series(self) -> list[tuple[str, list[Figure]]]:
        """The figures per method, in the order the methods first appear: each is its own series."""
        if not self.methods:
            return [("", self.figures)]
        return [(m, [f for f in self.figures if f.method == m]) for m in self.methods]


def number(column: str) -> pl.Expr:
    """A column of French or English numbers as floats: « 1 234,5 », « 1234.5 »; anything else null."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.replace_all(r"[\s\u00a0\u202f]", "")
        .str.replace(",", ".", literal=True)
        .cast(pl.Float64, strict=False)
    )


def breakdown_key(spec: Spec) -> pl.Expr:
    cell = pl.col(spec.breakdown_column).str.strip_chars().fill_null("")
    if spec.breakdown == Breakdown.YEAR:
        return cell.str.extract(YEAR, 1).fill_null("")
    return cell


def _check_columns(frame: pl.DataFrame, spec: Spec) -> None:
    header = frame.columns
    wanted = [(spec.breakdown_column, "de la ventilation")]
    if spec.measure != Measure.COUNT:
        wanted.append((spec.value_column, "mesurée" if spec.measure != Measure.RATE else "du numérateur"))
    if spec.measure == Measure.RATE:
        wanted.append((spec.denominator_column, "du dénominateur"))
    if spec.method_column:
        wanted.append((spec.method_column, "de la méthode"))
    for name, role in wanted:
        if not name:
            raise FiguresRefused(f"Choisissez la colonne {role}.")
        if name not in header:
            raise FiguresRefused(
                f"La colonne « {name[:80]} » (colonne {role}) n'existe pas dans la source : "
                f"colonnes disponibles : {', '.join(header[:20])}."
            )


def compute(frame: pl.DataFrame, spec: Spec) -> Figures:
    _check_columns(frame, spec)
    # Each column is parsed once; the groups then only add up what is parsed.
    columns = [breakdown_key(spec).alias("_key")]
    keys = ["_key"]
    if spec.method_column:
        columns.append(pl.col(spec.method_column).str.strip_chars().fill_null("").alias("_method"))
        keys.append("_method")
    if spec.measure != Measure.COUNT:
        columns.append(number(spec.value_column).alias("_v"))
    if spec.measure == Measure.RATE:
        columns.append(number(spec.denominator_column).alias("_d"))
    work = frame.lazy().select(columns)
    if spec.measure == Measure.COUNT:
        aggs = [
            pl.len().alias("_n"),
            pl.lit(None, pl.Float64).alias("_num"),
            pl.lit(None, pl.Float64).alias("_den"),
        ]
    elif spec.measure == Measure.RATE:
        usable = pl.col("_v").is_not_null() & pl.col("_d").is_not_null()
        aggs = [
            usable.sum().alias("_n"),
            pl.col("_v").filter(usable).sum().alias("_num"),
            pl.col("_d").filter(usable).sum().alias("_den"),
        ]
    else:
        aggs = [
            pl.col("_v").is_not_null().sum().alias("_n"),
            pl.col("_v").sum().alias("_num"),
            pl.lit(None, pl.Float64).alias("_den"),
        ]
    grouped = work.group_by(keys).agg(aggs).collect()
    counted = int(grouped.get_column("_n").sum() or 0)
    left_out = frame.height - counted if spec.measure != Measure.COUNT else 0
    distinct = grouped.get_column("_key").n_unique()
    if distinct > MAX_VALUES:
        raise FiguresRefused(
            f"La colonne « {spec.breakdown_column[:80]} » a {distinct} valeurs différentes : un graphique "
            f"en montre {MAX_VALUES} au plus pour rester lisible. Choisissez une colonne qui regroupe "
            "davantage, ou une ventilation par année."
        )
    records = grouped.to_dicts()
    figures = []
    for record in records:
        n = int(record["_n"] or 0)
        total = record["_num"]
        den = record["_den"]
        if spec.measure == Measure.COUNT:
            value: float | None = float(n)
        elif spec.measure == Measure.SUM:
            value = float(total) if n else None
        elif spec.measure == Measure.MEAN:
            value = float(total) / n if n else None
        else:
            value = float(total) / float(den) if n and den else None
        key = str(record["_key"])
        empty = NO_YEAR if spec.breakdown == Breakdown.YEAR else EMPTY
        figures.append(
            Figure(
                key=key,
                label=key or empty,
                method=str(record.get("_method", "")) if spec.method_column else "",
                n=n,
                value=value,
                numerator=float(total) if spec.measure == Measure.RATE and total is not None else None,
                denominator=float(den) if spec.measure == Measure.RATE and den is not None else None,
            )
        )
    if spec.breakdown == Breakdown.YEAR:
        figures.sort(key=lambda f: (f.key == "", f.key, f.method))
    else:
        figures.sort(key=lambda f: (-(f.value if f.value is not None else float("-inf")), f.label, f.method))
    methods: list[str] = []
    if spec.method_column:
        for f in figures:
            if f.method not in methods:
                methods.append(f.method)
    return Figures(figures=figures, rows=frame.height, left_out=left_out, methods=methods)


def _cache_key(checksum: str, spec: Spec) -> str:
    text = json.dumps([FIGURES_VERSION, checksum, asdict(spec)], sort_keys=True)
    return "dashboards:figures:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def figures_of(chart: Chart) -> Figures:
    """The chart's figures, from the cache when this source and spec were computed before."""
    info = sources.info_of(chart)
    spec = Spec.of(chart)
    key = _cache_key(info.checksum, spec)
    kept = cache.get(key)
    if kept is not None:
        return Figures(
            figures=[Figure(**f) for f in kept["figures"]],
            rows=kept["rows"],
            left_out=kept["left_out"],
            methods=list(kept["methods"]),
        )
    result = compute(sources.frame_for(chart), spec)
    cache.set(
        key,
        {
            "figures": [asdict(f) for f in result.figures],
            "rows": result.rows,
            "left_out": result.left_out,
            "methods": result.methods,
        },
        CACHE_SECONDS,
    )
    return result


def raw_rows(chart: Chart, key: str | None, method: str | None) -> tuple[list[str], pl.DataFrame]:
    """The source's rows behind one figure (``key`` None: every row), with the source's header."""
    frame = sources.frame_for(chart)
    spec = Spec.of(chart)
    _check_columns(frame, spec)
    if key is not None:
        frame = frame.filter(breakdown_key(spec) == key)
    if method is not None and spec.method_column:
        frame = frame.filter(pl.col(spec.method_column).str.strip_chars().fill_null("") == method)
    return frame.columns, frame


def _neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """Every cell a spreadsheet would run as a formula gets its apostrophe (odl.core.exports' rule)."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in frame.columns
    )


def stream_csv(header: list[str], frame: pl.DataFrame, chunk: int = 20000) -> Iterator[bytes]:
    """The rows as a CSV (UTF-8 with BOM, « ; »), in chunks, each cell safe from formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for part in frame.iter_slices(chunk):
        yield (
            _neutralised(part)
            .write_csv(include_header=False, separator=";", line_terminator="\r\n", quote_style="necessary")
            .encode("utf-8")
        )


def french(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    if decimals and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def shown(chart: Chart, figure: Figure) -> str:
    """The figure's value as a reader sees it (a rate as a percentage)."""
    if chart.measure == Measure.COUNT:
        return french(figure.value, 0)
    if chart.measure == Measure.RATE:
        return "—" if figure.value is None else f"{french(figure.value * 100, 1)}\u202f%"
    return french(figure.value)
