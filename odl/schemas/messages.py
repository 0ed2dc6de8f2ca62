"""Plain-French explanations of every error: each check in ``odl.schemas.checks`` writes its own.

One thing is said here for every rule: a value refused only because of spaces around it says so (real
files are full of « aide en numéraire  »), instead of a message about its type or its allowed values.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import polars as pl

from odl.schemas.checks import Explained, registry
from odl.schemas.checks.base import Column, FieldRule
from odl.schemas.checks.types import TypeRule


def label(code: str) -> str:
    return registry.label(code)


def explain(
    code: str,
    rule: str,
    column: str | None,
    value: str | None,
    field: dict[str, Any] | None,
    examples: dict[str, str],
    detail: str = "",
    position: int | None = None,
    missing: list[str] | None = None,
) -> str:
    if value and field and value != value.strip() and value.strip():
        spaces = _spaces_only(
            code, rule, json.dumps(field, sort_keys=True, default=str), value, tuple(missing or [""])
        )
        if spaces:
            return spaces
    return registry.explain(Explained(code, rule, column, value, field, examples, detail, position))


@lru_cache(maxsize=4096)
def _spaces_only(code: str, rule: str, field_json: str, value: str, missing: tuple[str, ...]) -> str | None:
    """The message when the value, without its surrounding spaces, passes the rule it broke; else None."""
    kind = registry.find(code, rule)
    if kind is None or not issubclass(kind, FieldRule):
        return None
    field = json.loads(field_json)
    column = Column(field, "v", list(missing), dict(field.get("constraints", {})))
    stripped = pl.Series("v", [value.strip()])
    kinds: list[type[FieldRule]] = [TypeRule] if kind is TypeRule else [TypeRule, kind]
    for rule_kind in kinds:
        bound = rule_kind.bind(column)
        if bound is not None and bool(bound.bad(stripped)[0]):
            return None
    before, after = value != value.lstrip(), value != value.rstrip()
    shown = Explained(code, rule, None, value, field, {}).shown
    where = "au début et à la fin" if before and after else ("au début" if before else "à la fin")
    return (
        f"« {shown} » a un espace en trop {where} : sans cet espace, « {value.strip()} » serait correct. "
        "Retirez les espaces autour de la valeur."
    )
