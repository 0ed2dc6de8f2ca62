"""Which SCDL schemas a harvested dataset follows.

One function, :func:`detect_schemas`. Declared schemas (data.gouv.fr ``schema.name``, DCAT
``dct:conformsTo``) are trusted when they are SCDL: under the ``scdl/`` prefix, in the table below, or
one of the schemas the ``schemas`` app ships. Titles and tags are only used with an explicit SCDL
mention, to stay conservative.
"""

from __future__ import annotations

import re
from functools import cache

from django.apps import apps

from odl.core.text import fold
from odl.harvest.harvesters.items import HarvestedItem

# Schemas of the SCDL label that do not live under the ``scdl/`` prefix on schema.data.gouv.fr.
SCDL_OUTSIDE_PREFIX = {
    "etalab/schema-irve-statique": "etalab/schema-irve-statique",
    "etalab/schema-irve-dynamique": "etalab/schema-irve-statique",
    "etalab/schema-irve": "etalab/schema-irve-statique",
    "etalab/schema-stationnement": "etalab/schema-stationnement",
    "etalab/schema-lieux-covoiturage": "etalab/schema-lieux-covoiturage",
    "139bercy/format-commande-publique": "139bercy/format-commande-publique",
    "etalab/schema-decp-dpa": "etalab/schema-decp-dpa",
    "cerema/schema-arrete-circulation-marchandises": "CEREMA/schema-arrete-circulation-marchandises",
}

# Folded words of a title or tag → schema, used only when the dataset says it is SCDL.
TITLE_HINTS = (
    ("deliberation", "scdl/deliberations"),
    ("subvention", "scdl/subventions"),
    ("equipements collectifs", "scdl/equipements"),
    ("equipements publics", "scdl/equipements"),
    ("prenoms", "scdl/prenoms"),
    ("plats", "scdl/plats-menus-collectifs"),
    ("menus", "scdl/menus-collectifs"),
    ("budget", "scdl/budget"),
    ("catalogue", "scdl/catalogue"),
    ("irve", "etalab/schema-irve-statique"),
    ("bornes de recharge", "etalab/schema-irve-statique"),
    ("stationnement", "etalab/schema-stationnement"),
    ("marches publics", "139bercy/format-commande-publique"),
    ("commande publique", "139bercy/format-commande-publique"),
    ("decp", "139bercy/format-commande-publique"),
)
_SCHEMA_URL = re.compile(r"schema\.data\.gouv\.fr/(?:schemas/)?([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)")
_SCDL_MENTION = re.compile(r"\bscdl\b|socle commun des donnees locales")


@cache
def registry_identifiers() -> dict[str, str]:
    """The schemas app's embedded schemas (all SCDL), lower-cased identifier → identifier."""
    if not apps.is_installed("odl.schemas"):
        return {}
    from odl.schemas.registry import embedded

    return {
        str(own["identifiant"]).lower(): str(own["identifiant"])
        for own in embedded().values()
        if own.get("identifiant")
    }


def normalise_schema_name(name: str) -> str:
    """A schema id of the SCDL (``scdl/subventions``), or "" when the name is not an SCDL schema."""
    name = name.strip()
    match = _SCHEMA_URL.search(name)
    if match:
        name = match.group(1)
    name = name.strip("/")
    lowered = name.lower()
    if lowered.startswith("scdl/"):
        return "scdl/" + lowered.split("/")[1]
    for known, canonical in SCDL_OUTSIDE_PREFIX.items():
        if lowered == known.lower():
            return canonical
    return registry_identifiers().get(lowered, "")


def detect_schemas(item: HarvestedItem) -> list[str]:
    found = {s for s in (normalise_schema_name(n) for n in item.declared_schemas) if s}
    for resource in item.resources:
        schema = resource.get("schema")
        if isinstance(schema, str) and (name := normalise_schema_name(schema)):
            found.add(name)
    raw = f"{item.title} {' '.join(item.tags)}".lower()
    # Folding is costly at 100,000 datasets: only when an SCDL mention is possible at all.
    if not found and ("scdl" in raw or "socle commun" in raw):
        tags = " ".join(fold(t) for t in item.tags)
        title = fold(item.title)
        if _SCDL_MENTION.search(tags) or _SCDL_MENTION.search(title):
            for hint, schema in TITLE_HINTS:
                if hint in title or hint in tags:
                    found.add(schema)
                    break
    return sorted(found)
