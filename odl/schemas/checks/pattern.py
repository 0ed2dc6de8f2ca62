"""``pattern``: the whole cell matches the field's regular expression."""

from __future__ import annotations

import re

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, exact, registry, rust_regex


@registry.register
class Pattern(FieldRule):
    code = "constraint-error"
    rule = "pattern"
    label = "Contrainte non respectée"
    order = 40

    def __init__(self, pattern: str) -> None:
        anchored = f"^{pattern}$"
        self.python = re.compile(anchored)
        self.rust = rust_regex(anchored)

    @classmethod
    def bind(cls, column: Column) -> Pattern | None:
        pattern = column.constraints.get("pattern")
        return None if pattern is None else cls(str(pattern))

    def bad(self, values: pl.Series) -> pl.Series:
        if self.rust is not None:
            return ~values.str.contains(self.rust)
        regex = self.python
        return ~exact(values, lambda v: regex.match(v) is not None)

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        pattern = error.field.get("constraints", {}).get("pattern")
        return f"« {error.shown} » n'a pas la forme attendue{error.example()} (motif {pattern})."
