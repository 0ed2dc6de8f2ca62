"""Validata's custom checks: the schema's ``custom_checks`` list, each bound to the registered check
of that name. A name no module registers is not checked, and the report says so."""

from __future__ import annotations

import polars as pl

from odl.schemas.checks.base import Batch, CustomCheck, CustomContext, Table, registry


class CustomChecks:
    """Every custom check a schema declares, bound to the file."""

    def __init__(self, checks: list[CustomCheck]) -> None:
        self.checks = checks

    @classmethod
    def bind(cls, table: Table) -> CustomChecks:
        context = CustomContext(
            mapping=table.mapping,
            types={f["name"]: f.get("type", "string") for f in table.fields},
            missing=table.missing,
        )
        checks = []
        for spec in table.custom_specs:
            if not isinstance(spec, dict):
                continue
            name = spec.get("name")
            kind = registry.custom.get(str(name))
            if kind is None:
                table.report.notes.append(
                    f"Contrôle « {name} » du schéma non pris en charge : il n'a pas été vérifié."
                )
                continue
            check = kind(dict(spec.get("params", {})), context)
            check.check_header(table.report)
            checks.append(check)
        return cls(checks)

    def wants_validity(self) -> bool:
        """Whether field rules should record which typed cells are valid (only custom checks read it)."""
        return bool(self.checks)

    def check(self, batch: Batch) -> list[pl.DataFrame]:
        out: list[pl.DataFrame] = []
        for check in self.checks:
            out.extend(check.check(batch))
        return out
