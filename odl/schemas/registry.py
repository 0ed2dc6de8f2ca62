"""The SCDL schemas the platform ships, those refreshed from schema.data.gouv.fr, and any Table Schema given by path or URL.

Embedded schemas live in ``odl/schemas/data/<nom>.json`` in the project's own shape (French keys, short
descriptions of our own); ``to_table_schema`` turns one into a frictionless Table Schema dict, which is
what the engine reads. Schemas refreshed by ``odl schemas sync`` are stored as official Table Schema
files under ``DATA_DIR/schemas/`` and take precedence when their version is newer.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

DATA_DIR = Path(__file__).resolve().parent / "data"

_CONSTRAINTS = {
    "obligatoire": "required",
    "unique": "unique",
    "valeurs": "enum",
    "motif": "pattern",
    "min": "minimum",
    "max": "maximum",
    "long_min": "minLength",
    "long_max": "maxLength",
}
KNOWN_TYPES = {
    "string",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "time",
    "year",
    "yearmonth",
    "array",
    "object",
    "geopoint",
    "geojson",
    "duration",
    "any",
}


class SchemaNotFound(Exception):
    """The schema name, version, path or URL does not lead to a usable schema (French message)."""


@dataclass
class Schema:
    """A Table Schema ready for validation, with where it comes from."""

    name: str
    version: str
    title: str
    table_schema: dict[str, Any]
    identifier: str = ""
    summary: str = ""
    origin: str = "embarqué"
    labels: dict[str, str] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)
    # The fields whose values name a collectivité (the publisher's SIRET, a commune's code INSEE): the
    # only ones compared with the référentiel. None: not declared (a schema from a file or the catalogue).
    collectivite: list[str] | None = None

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.table_schema.get("fields", [])]

    def ref(self) -> dict[str, str]:
        return {
            "nom": self.name,
            "version": self.version,
            "titre": self.title,
            "identifiant": self.identifier,
        }


def to_table_schema(own: dict[str, Any]) -> dict[str, Any]:
    """Our shape → a frictionless Table Schema (the facts only)."""
    fields = []
    for col in own["colonnes"]:
        f: dict[str, Any] = {"name": col["nom"], "type": col["type"]}
        if "format" in col:
            f["format"] = col["format"]
        constraints = {_CONSTRAINTS[k]: col[k] for k in _CONSTRAINTS if k in col}
        if constraints:
            f["constraints"] = constraints
        if "vrai" in col:
            f["trueValues"] = col["vrai"]
        if "faux" in col:
            f["falseValues"] = col["faux"]
        if "element" in col:
            item = col["element"]
            f["arrayItem"] = {"type": item["type"]}
            item_constraints = {_CONSTRAINTS[k]: item[k] for k in _CONSTRAINTS if k in item}
            if item_constraints:
                f["arrayItem"]["constraints"] = item_constraints
        fields.append(f)
    schema: dict[str, Any] = {"name": own["nom"], "version": own["version"], "fields": fields}
    if "valeurs_manquantes" in own:
        schema["missingValues"] = own["valeurs_manquantes"]
    if "cle_primaire" in own:
        schema["primaryKey"] = own["cle_primaire"]
    if own.get("controles"):
        schema["custom_checks"] = [{"name": c["regle"], "params": c["parametres"]} for c in own["controles"]]
    return schema


@cache
def embedded() -> dict[str, dict[str, Any]]:
    """Every embedded schema in our shape, by short name."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA_DIR.glob("*.json"))}


def _from_own(own: dict[str, Any], origin: str = "embarqué") -> Schema:
    return Schema(
        name=own["nom"],
        version=str(own["version"]),
        title=own["titre"],
        table_schema=to_table_schema(own),
        identifier=own.get("identifiant", ""),
        summary=own.get("resume", ""),
        origin=origin,
        labels={c["nom"]: c["libelle"] for c in own["colonnes"] if c.get("libelle")},
        examples={c["nom"]: c["exemple"] for c in own["colonnes"] if c.get("exemple")},
        collectivite=list(own["collectivite"]) if "collectivite" in own else None,
    )


def synced_dir() -> Path:
    return Path(settings.DATA_DIR) / "schemas"


def synced_index() -> dict[str, Any]:
    """What the last ``odl schemas sync`` recorded: the catalogue entries and the files it stored."""
    path = synced_dir() / "index.json"
    if not path.exists():
        return {"schemas": {}}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {"schemas": {}}


def _normalise_version(version: str) -> str:
    return version.strip().lstrip("vV")


def _short_name(identifier: str) -> str:
    """``scdl/deliberations`` → ``deliberations``; ``etalab/schema-irve-statique`` → ``irve-statique``."""
    tail = identifier.rsplit("/", 1)[-1]
    return tail.removeprefix("schema-")


def list_schemas() -> list[dict[str, Any]]:
    """One row per known schema: embedded ones, plus those only known from a catalogue sync."""
    rows: dict[str, dict[str, Any]] = {}
    for name, own in embedded().items():
        rows[name] = {
            "nom": name,
            "identifiant": own.get("identifiant", ""),
            "titre": own["titre"],
            "version": str(own["version"]),
            "versions": [str(own["version"])],
            "origine": "embarqué",
        }
    for ident, entry in synced_index().get("schemas", {}).items():
        name = _short_name(ident)
        row = rows.setdefault(
            name,
            {
                "nom": name,
                "identifiant": ident,
                "titre": entry.get("titre", ""),
                "version": "",
                "versions": [],
            },
        )
        row.setdefault("origine", "catalogue")
        stored = entry.get("fichiers", {})
        for version in entry.get("versions", []):
            if version not in row["versions"]:
                row["versions"].append(version)
        if stored:
            latest = entry.get("derniere") or sorted(stored)[-1]
            if latest in stored:
                row["version"] = latest
                row["origine"] = (
                    "synchronisé" if row.get("origine") != "embarqué" else "embarqué + synchronisé"
                )
    return sorted(rows.values(), key=lambda r: r["nom"])


def known_names() -> list[str]:
    names = set(embedded())
    for row in list_schemas():
        names.add(row["nom"])
        if row.get("identifiant"):
            names.add(row["identifiant"])
    for own in embedded().values():
        if own.get("identifiant"):
            names.add(own["identifiant"])
    return sorted(names)


def resolve(spec: str) -> Schema:
    """For the command line only: a known schema (``known``), a path to a Table Schema, or an http(s) URL.

    The web page and the API call ``known``: a visitor's text must never open a file or a connection.
    """
    spec = spec.strip()
    if not spec:
        raise SchemaNotFound("Aucun schéma indiqué. Voir la liste : odl schemas list.")
    if spec.startswith(("http://", "https://")):
        return load_url(spec)
    if spec.endswith(".json") or "/" in spec and Path(spec).exists():
        return load_file(Path(spec))
    return known(spec)


def _looks_like_a_location(spec: str) -> bool:
    return (
        "://" in spec
        or spec.startswith(("/", ".", "~", "\\"))
        or "\\" in spec
        or spec.lower().endswith(".json")
        or ".." in spec
    )


def _known_list() -> str:
    return ", ".join(row["nom"] for row in list_schemas())


def known(spec: str) -> Schema:
    """A schema the platform knows, embedded or synced: ``NAME[@VERSION]`` or a schema.data.gouv.fr
    identifier. Never a path or a URL: those are refused with the list of known schemas."""
    spec = spec.strip()
    if not spec:
        raise SchemaNotFound(f"Aucun schéma indiqué. Schémas disponibles : {_known_list()}.")
    if _looks_like_a_location(spec):
        raise SchemaNotFound(
            "Seuls les schémas connus de la plateforme sont acceptés ici (nom court, nom@version ou "
            "identifiant schema.data.gouv.fr), pas un chemin de fichier ni une adresse web. "
            f"Schémas disponibles : {_known_list()}."
        )
    name, _, version = spec.partition("@")
    short = _short_name(name) if "/" in name else name
    own = embedded().get(short)
    synced = _synced_for(short)
    if version:
        wanted = _normalise_version(version)
        if own and _normalise_version(str(own["version"])) == wanted:
            return _from_own(own)
        if synced and wanted in {_normalise_version(v) for v in synced}:
            path = next(p for v, p in synced.items() if _normalise_version(v) == wanted)
            return load_file(Path(path), origin="synchronisé")
        if own or synced:
            available = sorted({str(own["version"])} if own else set()) + sorted(synced or {})
            raise SchemaNotFound(
                f"La version « {version} » du schéma « {short} » n'est pas disponible hors ligne. "
                f"Versions disponibles : {', '.join(available)}. "
                "Lancez « odl schemas sync » pour récupérer les autres versions."
            )
    if synced:
        latest = max(synced, key=_version_key)
        if not own or _version_key(latest) > _version_key(str(own["version"])):
            return load_file(Path(synced[latest]), origin="synchronisé")
    if own:
        return _from_own(own)
    close = difflib.get_close_matches(name, known_names(), n=4, cutoff=0.5)
    hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
    raise SchemaNotFound(
        f"Schéma inconnu : « {name} ».{hint} Schémas disponibles : {_known_list()}. "
        "La liste complète : odl schemas list."
    )


def suggest_schema(header: list[str]) -> str | None:
    """The embedded schema whose column names best cover the header (at least half of them).

    The one guess of every door: the web page's « Deviner d'après l'en-tête » and ``odl validate``
    without ``--schema``.
    """
    from odl.core.text import fold

    labels = {fold(h).replace(" ", "") for h in header if h}
    best, score = None, 0.0
    for name, own in embedded().items():
        names = {fold(c["nom"]).replace(" ", "") for c in own["colonnes"]}
        common = len(labels & names)
        value = common / max(len(names), 1)
        if common and value > score:
            best, score = name, value
    return best if score >= 0.5 else None


def guess_from_header(
    header: list[str], where: str = "ce fichier", hint: str = "choisissez le schéma dans la liste"
) -> Schema:
    """The known schema the header suggests; SchemaNotFound (in French, ending with ``hint``) when none
    covers it."""
    suggested = suggest_schema(header)
    if not suggested:
        raise SchemaNotFound(f"Aucun schéma ne correspond à l'en-tête de {where} : {hint}.")
    return known(suggested)


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for piece in _normalise_version(version).split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _synced_for(short: str) -> dict[str, str]:
    for ident, entry in synced_index().get("schemas", {}).items():
        if _short_name(ident) == short:
            return {v: p for v, p in entry.get("fichiers", {}).items() if Path(p).exists()}
    return {}


def check_table_schema(data: Any, where: str) -> dict[str, Any]:
    """Refuse a schema that is not a usable Table Schema, saying what is wrong in French."""
    if not isinstance(data, dict):
        raise SchemaNotFound(f"Le schéma {where} n'est pas un objet JSON Table Schema.")
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise SchemaNotFound(f"Le schéma {where} n'a pas de liste « fields » : ce n'est pas un Table Schema.")
    for index, f in enumerate(fields, start=1):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise SchemaNotFound(f"Le schéma {where} : le champ n° {index} n'a pas de nom (« name »).")
        kind = f.get("type", "string")
        if kind not in KNOWN_TYPES:
            raise SchemaNotFound(
                f"Le schéma {where} : le champ « {f['name']} » a un type inconnu « {kind} »."
            )
        constraints = f.get("constraints", {})
        if not isinstance(constraints, dict):
            raise SchemaNotFound(
                f"Le schéma {where} : les contraintes du champ « {f['name']} » sont mal formées."
            )
        if "pattern" in constraints:
            import re

            try:
                re.compile(constraints["pattern"])
            except (re.error, TypeError) as exc:
                raise SchemaNotFound(
                    f"Le schéma {where} : le motif du champ « {f['name']} » n'est pas une expression valide ({exc})."
                ) from exc
    return data


def _from_table_schema(data: dict[str, Any], where: str, origin: str) -> Schema:
    data = check_table_schema(data, where)
    name = str(data.get("name") or Path(where).stem)
    return Schema(
        name=name,
        version=str(data.get("version", "")),
        title=str(data.get("title") or name),
        table_schema=data,
        identifier=str(data.get("name", "")),
        origin=origin,
        labels={f["name"]: f["title"] for f in data["fields"] if isinstance(f.get("title"), str)},
        examples={f["name"]: str(f["example"]) for f in data["fields"] if f.get("example") not in (None, "")},
    )


def load_file(path: Path, origin: str = "fichier") -> Schema:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaNotFound(f"Le fichier de schéma « {path} » est introuvable ou illisible.") from exc
    except UnicodeDecodeError as exc:
        raise SchemaNotFound(f"Le fichier de schéma « {path} » n'est pas du texte UTF-8.") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SchemaNotFound(f"Le fichier de schéma « {path} » n'est pas un JSON valide ({exc}).") from exc
    return _from_table_schema(data, f"« {path.name} »", origin)


def load_url(url: str) -> Schema:
    from odl.schemas import catalogue

    try:
        data = catalogue.fetch_json(url)
    except catalogue.CatalogueError as exc:
        raise SchemaNotFound(str(exc)) from exc
    return _from_table_schema(data, f"« {url} »", "URL")
