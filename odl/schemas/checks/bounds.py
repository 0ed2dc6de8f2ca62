"""``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``: numbers, years and dates compared
with the field's bounds.

Table Schema lets a ``number`` be ``NaN``, ``INF`` or ``-INF``. Frictionless compares them as
``Decimal``: ``NaN`` fails every bound (the comparison raises, and frictionless counts that as failed),
``INF`` is above every finite bound and ``-INF`` below. Floats compare ``NaN`` as the largest number, so
those values never go through the fast comparison: the exact ``Decimal`` rule decides them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, exact, registry, typed_number


def _bound(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(date.fromisoformat(value).toordinal() - date(1970, 1, 1).toordinal())
        except ValueError:
            return float(value)
    return float(value)


def non_finite(numbers: pl.Series) -> pl.Series:
    """Cells polars cannot compare as frictionless does: NaN, infinities, and Decimal-only spellings."""
    return numbers.is_null() | numbers.is_nan() | numbers.is_infinite()


class _Bound(FieldRule):
    code = "constraint-error"
    label = "Contrainte non respectée"
    key: ClassVar[str]
    # True when the value satisfies the bound (value, bound).
    # A bool for one value, a boolean Series for a column.
    holds: ClassVar[Callable[[Any, Any], Any]]
    word: ClassVar[str]

    def __init__(self, column: Column, bound: float) -> None:
        self.column = column
        self.bound = bound
        self.decimal_bound = Decimal(repr(bound))

    @classmethod
    def bind(cls, column: Column) -> _Bound | None:
        if cls.key not in column.constraints:
            return None
        return cls(column, _bound(column.constraints[cls.key]))

    def _exact(self, value: str) -> bool:
        """Frictionless' rule on one number: True when the value breaks the bound."""
        try:
            return not type(self).holds(Decimal(value.strip()), self.decimal_bound)
        except InvalidOperation:  # NaN and sNaN cannot be ordered: the bound is not satisfied
            return True

    def bad(self, values: pl.Series) -> pl.Series:
        numbers = typed_number(self.column, values)
        # The same comparison as for one value, on the whole column (polars overloads the operators).
        verdict: pl.Series = ~type(self).holds(numbers, self.bound)
        if self.column.kind != "number":
            return verdict.fill_null(False)
        odd = non_finite(numbers)
        if not odd.any():
            return verdict
        index = odd.arg_true()
        return verdict.scatter(index, exact(values.gather(index), self._exact))

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        bound = error.field.get("constraints", {}).get(cls.key)
        if error.raw.strip().lower().lstrip("+-") in ("nan", "snan"):
            return (
                f"La valeur « {error.shown} » n'est pas un nombre (NaN) : elle ne peut pas respecter "
                f"la borne {bound}."
            )
        return f"La valeur « {error.shown} » est {cls.word} {bound}."


@registry.register
class Minimum(_Bound):
    rule = key = "minimum"
    order = 60
    holds = operator.ge
    word = "trop petite : elle doit être au moins"


@registry.register
class Maximum(_Bound):
    rule = key = "maximum"
    order = 61
    holds = operator.le
    word = "trop grande : elle doit être au plus"


@registry.register
class ExclusiveMinimum(_Bound):
    # Table Schema v2; frictionless 5 does not know it (validata-table ignores it).
    rule = key = "exclusiveMinimum"
    order = 62
    holds = operator.gt
    word = "trop petite : elle doit être strictement supérieure à"


@registry.register
class ExclusiveMaximum(_Bound):
    rule = key = "exclusiveMaximum"
    order = 63
    holds = operator.lt
    word = "trop grande : elle doit être strictement inférieure à"
