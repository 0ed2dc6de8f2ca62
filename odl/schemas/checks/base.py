"""The shape every check shares, the one registry they join, and the small polars helpers they use.

A check owns one error code (and, for ``constraint-error``, one rule): its French label, its category
in the report, how Validata names it, and the French explanation of each error. Three kinds plug into
the engine's batch loop:

- ``FieldRule``: one Table Schema rule on one column, bound per field, fed the column's cells;
- ``TableCheck``: a check over whole batches (blank rows, ragged rows, primary key, référentiel…);
- ``CustomCheck``: one Validata custom check (``custom_checks`` in the schema), bound per declaration.

Registering is decorating the class with ``@registry.register``; importing ``odl.schemas.checks`` imports
every module, so the registry is complete as soon as the package is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

import polars as pl

if TYPE_CHECKING:
    from odl.schemas.report import Report

Category = Literal["structure", "cell", "row"]
Stage = Literal["cell", "type", "value"]
ERROR_SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "code": pl.String,
    "rule": pl.String,
    "value": pl.String,
    # What the message needs beyond the cell's value (the other columns a row check compared), or null.
    "detail": pl.String,
}


@dataclass(frozen=True)
class Explained:
    """What an explanation may use: the error itself and the schema field it is about."""

    code: str
    rule: str
    column: str | None
    value: str | None
    field: dict[str, Any] | None
    examples: dict[str, str]
    detail: str = ""
    # The column's place in the header (1 for the first), for header errors.
    position: int | None = None

    @property
    def raw(self) -> str:
        return "" if self.value is None else str(self.value)

    @property
    def shown(self) -> str:
        v = self.raw
        return v if len(v) <= 80 else v[:77] + "…"

    def example(self) -> str:
        if not self.field:
            return ""
        example = self.examples.get(self.field["name"])
        return f", par exemple « {example} »" if example else ""


class Check:
    """One error code (and rule) with everything a report says about it."""

    code: ClassVar[str]
    # None: every rule of the code (custom checks write their parameters into the rule).
    rule: ClassVar[str | None] = None
    label: ClassVar[str]
    category: ClassVar[Category] = "cell"
    # Validata's name for the same error, when it differs (the parity test maps ours onto it).
    validata_code: ClassVar[str | None] = None
    # Validata reports it on the whole row although our report attaches it to a column.
    validata_row_level: ClassVar[bool] = False

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        """The French sentence for one error; None leaves it to the generic one."""
        return None


@dataclass
class Column:
    """One schema field bound to the file column (``c3``) that holds it."""

    field: dict[str, Any]
    source: str
    missing: list[str]
    constraints: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.field["name"])

    @property
    def kind(self) -> str:
        return str(self.field.get("type", "string"))

    @property
    def format(self) -> str:
        return str(self.field.get("format", "default"))


class FieldRule(Check):
    """A rule on one column's cells. ``stage`` says which cells it gets:

    ``cell`` every cell the row has (missing values included), ``type`` the cells that are not missing,
    ``value`` the cells of the right type. A ``type`` rule's failures are withheld from later stages.
    """

    stage: ClassVar[Stage] = "value"
    # Within a stage, rules run (and a row's errors are listed) in this order.
    order: ClassVar[int] = 100

    @classmethod
    def bind(cls, column: Column) -> FieldRule | None:
        """The rule for this column, or None when the field does not ask for it."""
        raise NotImplementedError

    def bad(self, values: pl.Series) -> pl.Series:
        """True where the cell breaks the rule."""
        raise NotImplementedError


@dataclass
class Table:
    """What the checks of one file know once the header is read."""

    fields: list[dict[str, Any]]
    labels: list[str]
    mapping: dict[str, str]
    missing: list[str]
    primary_key: list[str]
    custom_specs: list[dict[str, Any]]
    report: Report
    use_referentiel: bool = True
    # Fields naming a collectivité, as the schema declares them (None: not declared).
    collectivite: list[str] | None = None
    file_format: str = "csv"

    @property
    def width(self) -> int:
        return max(len(self.labels), 1)

    def required(self) -> set[str]:
        return {
            f["name"]
            for f in self.fields
            if f.get("constraints", {}).get("required") or f["name"] in self.primary_key
        }


@dataclass
class Batch:
    """One batch on its way through the checks. A check may narrow ``frame`` for those after it (blank
    rows are checked once, then left out); field rules record which typed cells are valid, by field, for
    the custom checks (frictionless hands them None for a cell of the wrong type)."""

    frame: pl.DataFrame
    valid: dict[str, pl.Series] = field(default_factory=dict)


class TableCheck(Check):
    """A check fed every batch of a file, in order; bound once per file. ``rows`` checks run before the
    field rules (and may narrow the batch), ``table`` checks after the custom checks."""

    severity: ClassVar[str] = "error"
    phase: ClassVar[Literal["rows", "table"]] = "table"
    order: ClassVar[int] = 100

    @classmethod
    def bind(cls, table: Table) -> TableCheck | None:
        raise NotImplementedError

    def check(self, batch: Batch) -> Iterable[pl.DataFrame]:
        raise NotImplementedError

    def finish(self, report: Report) -> None:
        """Called after the last batch (a note for the report, say)."""


class CustomCheck(Check):
    """A Validata custom check: ``name`` is how a schema's ``custom_checks`` calls it."""

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: dict[str, Any], context: CustomContext) -> None:
        self.params = params
        self.context = context

    def check_header(self, report: Report) -> None:
        """Called once the header is read: a check may say a column it needs is absent."""

    def header_error(self, report: Report, detail: str) -> None:
        report.add_structure(self.code, None, None, None, "error", detail)

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        raise NotImplementedError


class ColumnCustomCheck(CustomCheck):
    """A custom check on the values of one column (``params.column``), one value at a time."""

    def bad(self, values: pl.Series) -> pl.Series:
        """True where the (present, well-typed) value fails the check."""
        raise NotImplementedError

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        column = self.params.get("column")
        if not self.context.has(column):
            return []
        data = self.context.present(column, batch)
        if data.height == 0:
            return []
        return [errors(data.filter(self.bad(data["v"])), column, self.code, self.code)]


@dataclass
class CustomContext:
    """The file as Validata's custom checks see it: fields by name, cells as frictionless hands them."""

    mapping: dict[str, str]
    types: dict[str, str]
    missing: list[str]

    def has(self, name: Any) -> bool:
        return name in self.mapping

    def value(self, name: Any, batch: Batch) -> pl.Expr:
        """The cell as frictionless hands it to the check: None when absent, missing or of the wrong type."""
        if name is None or name not in self.mapping:
            return pl.lit(None, dtype=pl.String)
        col = pl.col(self.mapping[name])
        expr = pl.when(col.is_null() | col.is_in(self.missing)).then(None).otherwise(col)
        if name in batch.valid:
            expr = pl.when(pl.lit(batch.valid[name])).then(expr).otherwise(None)
        return expr

    def typed(self, name: Any, batch: Batch) -> pl.Expr:
        value = self.value(name, batch)
        if self.types.get(name or "", "string") in ("integer", "number", "year"):
            return value.str.strip_chars().cast(pl.Float64, strict=False)
        return value

    def present(self, name: Any, batch: Batch) -> pl.DataFrame:
        """``_row`` and ``v`` for the rows where the check's column has a usable value."""
        return batch.frame.select(pl.col("_row"), self.value(name, batch).alias("v")).filter(
            pl.col("v").is_not_null()
        )


C = TypeVar("C", bound=type[Check])


class Registry:
    """Every check, by code and rule; the field rules and table checks in the order they run; the
    custom checks by the name schemas use."""

    def __init__(self) -> None:
        self.by_code: dict[str, list[type[Check]]] = {}
        self.field_rules: list[type[FieldRule]] = []
        self.table_checks: list[type[TableCheck]] = []
        self.custom: dict[str, type[CustomCheck]] = {}

    def register(self, check: C) -> C:
        siblings = self.by_code.setdefault(check.code, [])
        if any(s.label != check.label for s in siblings):
            raise ValueError(f"code {check.code}: one label for every check that reports it")
        if any(s.rule == check.rule for s in siblings):
            raise ValueError(f"code {check.code}, rule {check.rule}: registered twice")
        siblings.append(check)
        if issubclass(check, FieldRule):
            self.field_rules.append(check)
            self.field_rules.sort(key=lambda c: c.order)
        elif issubclass(check, TableCheck):
            self.table_checks.append(check)
            self.table_checks.sort(key=lambda c: c.order)
        elif issubclass(check, CustomCheck):
            for name in (check.name, *check.aliases):
                if name in self.custom:
                    raise ValueError(f"custom check {name}: registered twice")
                self.custom[name] = check
        return check

    def unregister(self, check: type[Check]) -> None:
        """Take a check out again (tests that register a throw-away one)."""
        self.by_code[check.code].remove(check)
        if not self.by_code[check.code]:
            del self.by_code[check.code]
        for kinds in (self.field_rules, self.table_checks):
            if check in kinds:
                kinds.remove(check)  # type: ignore[arg-type]
        for name in [n for n, c in self.custom.items() if c is check]:
            del self.custom[name]

    def find(self, code: str, rule: str | None = None) -> type[Check] | None:
        siblings = self.by_code.get(code, [])
        exact = next((c for c in siblings if c.rule is not None and c.rule == rule), None)
        return exact or next((c for c in siblings if c.rule is None), None)

    def label(self, code: str) -> str:
        siblings = self.by_code.get(code)
        return siblings[0].label if siblings else code

    def category(self, code: str) -> Category | None:
        siblings = self.by_code.get(code)
        return siblings[0].category if siblings else None

    def codes(self, category: Category) -> set[str]:
        return {code for code, checks in self.by_code.items() if checks[0].category == category}

    def explain(self, error: Explained) -> str:
        check = self.find(error.code, error.rule)
        message = check.explain(error) if check is not None else None
        if message is not None:
            return message
        if error.detail:
            return error.detail.strip()
        return f"Valeur « {error.shown} » refusée par la règle {error.rule}."

    def validata_code(self, code: str) -> str:
        siblings = self.by_code.get(code)
        return (siblings[0].validata_code if siblings else None) or code

    def validata_row_level(self) -> set[str]:
        return {code for code, checks in self.by_code.items() if checks[0].validata_row_level}


registry = Registry()


# --- helpers the checks share -------------------------------------------------------------------


def errors(
    frame: pl.DataFrame, column: str | None, code: str, rule: str, value: str = "v", detail: str | None = None
) -> pl.DataFrame:
    """The error rows of ``frame`` in the report's shape (``_row``, the value column ``value`` and, when
    given, the column ``detail`` for the message)."""
    return frame.select(
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.lit(column, dtype=pl.String).alias("column"),
        pl.lit(code).alias("code"),
        pl.lit(rule).alias("rule"),
        (pl.col(value).cast(pl.String) if value in frame.columns else pl.lit(None, dtype=pl.String)).alias(
            "value"
        ),
        (pl.col(detail).cast(pl.String) if detail in frame.columns else pl.lit(None, dtype=pl.String)).alias(
            "detail"
        ),
    )


def rows_frame(rows: list[tuple[int, str | None, str, str, str | None, str | None]]) -> pl.DataFrame:
    """Errors found one by one (ragged rows), as a frame."""
    return pl.DataFrame(rows, schema=ERROR_SCHEMA, orient="row")


def exact(values: pl.Series, rule: Callable[[str], bool]) -> pl.Series:
    """Apply a one-value rule to distinct values only and map the answer back."""
    if values.len() == 0:
        return pl.Series(values.name, [], dtype=pl.Boolean)
    distinct = values.unique()
    verdict = {v: rule(v) for v in distinct.to_list()}
    return values.replace_strict(verdict, return_dtype=pl.Boolean)


def settle(values: pl.Series, fast: pl.Series, rule: Callable[[str], bool]) -> pl.Series:
    """``fast`` already says yes for most values; the exact rule decides only for the others."""
    if fast.all():
        return fast
    doubtful = (~fast).arg_true()
    return fast.scatter(doubtful, exact(values.gather(doubtful), rule))


def repeats(values: pl.Series, seen: set[str]) -> pl.Series:
    """True for the second and later occurrences, across batches."""
    in_batch = values.is_first_distinct().not_()
    earlier = values.is_in(list(seen)) if seen else pl.Series([False] * values.len())
    seen.update(values.unique().to_list())
    return in_batch | earlier


def typed_number(column: Column, s: pl.Series) -> pl.Series:
    """The cells as numbers, for enum and range comparisons (dates as days since 1970)."""
    if column.kind in ("integer", "number", "year"):
        return s.str.strip_chars().cast(pl.Float64, strict=False)
    if column.kind == "date":
        return s.str.to_date("%Y-%m-%d", strict=False).cast(pl.Float64)
    return s.cast(pl.Float64, strict=False)


def rust_regex(pattern: str) -> str | None:
    """The pattern if polars' regex engine takes it; look-arounds and back-references need Python's re."""
    try:
        pl.Series([""]).str.contains(pattern)
    except Exception:  # polars raises its own compute error type
        return None
    return pattern
