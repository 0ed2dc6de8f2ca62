"""Rows as records: blank rows, rows with more cells than the header, rows that stop early."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from odl.schemas.checks.base import Batch, Check, Explained, Table, TableCheck, errors, registry, rows_frame


@registry.register
class BlankRow(TableCheck):
    code = "blank-row"
    rule = "blank-row"
    label = "Ligne vide"
    category = "row"
    phase = "rows"
    order = 10

    def __init__(self, cells: list[str], missing: list[str]) -> None:
        self.cells = cells
        self.missing = missing

    @classmethod
    def bind(cls, table: Table) -> BlankRow:
        return cls([f"c{i}" for i in range(table.width)], table.missing)

    def check(self, batch: Batch) -> Iterable[pl.DataFrame]:
        blank = pl.all_horizontal([pl.col(c).is_null() | pl.col(c).is_in(self.missing) for c in self.cells])
        frame = batch.frame.with_columns(blank.alias("_blank"))
        # A blank row is one error, as in frictionless: no check after this one sees it.
        batch.frame = frame.filter(~pl.col("_blank"))
        return [errors(frame.filter(pl.col("_blank")), None, self.code, self.code)]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return "Cette ligne est entièrement vide : supprimez-la."


@registry.register
class MissingCell(Check):
    code = "missing-cell"
    rule = "missing-cell"
    label = "Cellule manquante"

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return f"Cette ligne s'arrête avant la colonne « {error.column} » : il manque des séparateurs."


@registry.register
class RaggedRows(TableCheck):
    """Rows whose cell count is not the header's: extra-cell, or one missing-cell per absent cell."""

    code = "extra-cell"
    rule = "extra-cell"
    label = "Cellule en trop"
    category = "row"
    phase = "rows"
    order = 20
    validata_row_level = True

    def __init__(self, width: int, labels: list[str], required: set[str], sheet: bool = False) -> None:
        self.width = width
        self.labels = labels
        self.required = required
        self.rule_for_extra = ExtraCellInSheet.rule if sheet else self.rule

    @classmethod
    def bind(cls, table: Table) -> RaggedRows:
        required = table.required()
        labels = {label for label in table.labels if label in required}
        return cls(table.width, table.labels, labels, table.file_format in ("xlsx", "ods"))

    def check(self, batch: Batch) -> Iterable[pl.DataFrame]:
        ragged = batch.frame.filter(pl.col("_n") != self.width)
        if not ragged.height:
            return []
        found: list[tuple[int, str | None, str, str, str | None, str | None]] = []
        extras = ragged["_extra"] if "_extra" in ragged.columns else pl.Series([None] * ragged.height)
        for (row, count), extra in zip(ragged.select("_row", "_n").iter_rows(), extras, strict=True):
            if count > self.width:
                found.append((row, None, "extra-cell", self.rule_for_extra, extra, None))
                continue
            for position in range(count, self.width):
                label = self.labels[position] if position < len(self.labels) else None
                found.append((row, label, MissingCell.code, MissingCell.code, None, None))
                if label in self.required:
                    # An absent cell is also an empty one: the required rule fails too, as in frictionless.
                    found.append((row, label, "constraint-error", "required", None, None))
        return [rows_frame(found)]

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"Cette ligne a plus de cellules que l'en-tête (en trop : « {error.shown} ») : "
            "un séparateur de trop, ou une valeur qui contient le séparateur sans être entre guillemets ?"
        )


@registry.register
class ExtraCellInSheet(Check):
    """The same error in a workbook, where there are no separators: the row goes past the header."""

    code = "extra-cell"
    rule = "extra-cell-feuille"
    label = RaggedRows.label
    category = "row"
    validata_row_level = True

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        return (
            f"Cette ligne a des cellules remplies à droite de la dernière colonne de l'en-tête "
            f"(« {error.shown} ») : donnez un nom à leur colonne, ou videz-les."
        )
