"""``arrayItem`` constraints: every item of a JSON list is allowed, and none is null when required.

(The items' type is part of the field's type, in ``types``.)
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from odl.schemas.checks.base import Column, Explained, FieldRule, exact, registry


@registry.register
class ArrayItems(FieldRule):
    code = "constraint-error"
    rule = "arrayItem"
    label = "Contrainte non respectée"
    order = 70

    def __init__(self, allowed: list[Any] | None, required: bool) -> None:
        self.allowed = allowed
        self.required = required

    @classmethod
    def bind(cls, column: Column) -> ArrayItems | None:
        if column.kind != "array":
            return None
        constraints = column.field.get("arrayItem", {}).get("constraints", {})
        if not (constraints.get("enum") or constraints.get("required")):
            return None
        return cls(constraints.get("enum"), bool(constraints.get("required")))

    def _allowed(self, v: str) -> bool:
        items = json.loads(v)
        if self.required and any(item is None for item in items):
            return False
        return self.allowed is None or all(item in self.allowed for item in items if item is not None)

    def bad(self, values: pl.Series) -> pl.Series:
        return ~exact(values, self._allowed)

    @classmethod
    def explain(cls, error: Explained) -> str | None:
        if not error.field:
            return None
        enum = error.field.get("arrayItem", {}).get("constraints", {}).get("enum", [])
        allowed = ", ".join(f"« {x} »" for x in enum[:14])
        return f"La liste {error.shown} contient une valeur non autorisée. Valeurs possibles : {allowed}."
