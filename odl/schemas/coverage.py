"""What of a schema the engine does not apply, said in the report instead of passed over in silence.

A schema from a file or the catalogue may use Table Schema keys the checks do not implement (a
``foreignKeys``, a ``decimalChar``, a ``time`` field, a ``constraints.format`` written by mistake).
Each becomes one remark: « contrainte non prise en compte : … ». Descriptive keys (titles, examples,
contributors…) apply to nothing and are not mentioned.
"""

from __future__ import annotations

from typing import Any

# Keys that describe and check nothing.
DESCRIPTIVE_FIELD_KEYS = {"name", "title", "description", "example", "examples", "rdfType"}
DESCRIPTIVE_SCHEMA_KEYS = {
    "$schema",
    "name",
    "title",
    "description",
    "version",
    "created",
    "lastModified",
    "updated",
    "homepage",
    "path",
    "contributors",
    "contributor",
    "author",
    "contact",
    "countryCode",
    "resources",
    "sources",
    "licenses",
    "keywords",
    "image",
    "example",
    "examples",
    "profile",
}
APPLIED_SCHEMA_KEYS = {"fields", "missingValues", "primaryKey", "custom_checks"}
APPLIED_FIELD_KEYS = {"type", "format", "constraints", "trueValues", "falseValues", "arrayItem"}
APPLIED_CONSTRAINTS = {
    "required",
    "unique",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
}
# Types whose cells are checked; ``any`` accepts everything by definition.
CHECKED_TYPES = {
    "string",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "year",
    "array",
    "geopoint",
    "any",
}
# Formats checked, by type (date and datetime take any strptime pattern).
CHECKED_FORMATS = {"string": {"default", "email", "uri"}, "geopoint": {"default", "array", "object"}}
APPLIED_ITEM_KEYS = {"type", "constraints"}
APPLIED_ITEM_CONSTRAINTS = {"enum", "required"}


def unapplied(table_schema: dict[str, Any]) -> list[str]:
    """One French remark per schema key the engine does not apply, with the fields that use it."""
    found: dict[str, list[str]] = {}

    def note(what: str, field: str | None = None) -> None:
        found.setdefault(what, [])
        if field is not None and field not in found[what]:
            found[what].append(field)

    for key in table_schema:
        if key not in APPLIED_SCHEMA_KEYS | DESCRIPTIVE_SCHEMA_KEYS:
            note(f"« {key} » du schéma")
    for f in table_schema.get("fields", []):
        if not isinstance(f, dict):
            continue
        name = str(f.get("name", "?"))
        kind = str(f.get("type", "string"))
        for key in f:
            if key not in APPLIED_FIELD_KEYS | DESCRIPTIVE_FIELD_KEYS:
                note(f"« {key} »", name)
        if kind not in CHECKED_TYPES:
            note(f"type « {kind} »", name)
        fmt = str(f.get("format", "default"))
        if (
            fmt != "default"
            and kind not in ("date", "datetime")
            and fmt not in CHECKED_FORMATS.get(kind, set())
        ):
            note(f"format « {fmt} » du type « {kind} »", name)
        constraints = f.get("constraints", {})
        for key in constraints if isinstance(constraints, dict) else []:
            if key not in APPLIED_CONSTRAINTS:
                note(f"constraints.{key}", name)
        item = f.get("arrayItem")
        if isinstance(item, dict):
            for key in item:
                if key not in APPLIED_ITEM_KEYS | DESCRIPTIVE_FIELD_KEYS:
                    note(f"arrayItem.{key}", name)
            for key in item.get("constraints", {}) or {}:
                if key not in APPLIED_ITEM_CONSTRAINTS:
                    note(f"arrayItem.constraints.{key}", name)
    remarks = []
    for what, fields in found.items():
        where = ""
        if fields:
            plural = "du champ" if len(fields) == 1 else "des champs"
            where = f" {plural} " + ", ".join(f"« {n} »" for n in fields)
        remarks.append(f"Contrainte non prise en compte : {what}{where} ; elle n'a pas été vérifiée.")
    return remarks
