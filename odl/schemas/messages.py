"""Plain-French explanations of every error: each check in ``odl.schemas.checks`` writes its own."""

from __future__ import annotations

from typing import Any

from odl.schemas.checks import Explained, registry


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
) -> str:
    return registry.explain(Explained(code, rule, column, value, field, examples, detail))
