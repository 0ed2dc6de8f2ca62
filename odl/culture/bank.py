"""The question bank as a file: read and check a CSV or YAML bank, store it, write it back.

An ATD adapts the bank by exporting it, editing the file and handing it to the national coordinator,
who imports it (``odl culture_bank import``). The whole file is checked before anything is stored: a
question without a domain, a question given twice, a domain without its knowledge check… each gets a
French message naming its line, and the stored bank is left as it was.

**CSV** (``;`` or ``,``, UTF-8): one line per question, columns ``domaine``, ``domaine_libelle``,
``question_code``, ``type`` (``auto`` or ``verification``), ``question``, ``reponses`` (separated by
`` | ``, from 0 to 4 points for a self-positioning), ``bonne_reponse`` (rank from 1, knowledge checks
only). **YAML**: a ``domaines`` list (``code``, ``libelle``, ``description``) and a ``questions`` list
(``code``, ``domaine``, ``type``, ``question``, ``reponses``, ``bonne_reponse``), as in
``odl/culture/default_bank.yaml``.

Storing upserts domains and questions by code; a stored question missing from the file is retired
(``active=False``), never deleted, so its answers stay.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from odl.core import exports
from odl.culture.models import Domain, Item, ItemKind, item_problem

DEFAULT_BANK = Path(__file__).resolve().parent / "default_bank.yaml"
CSV_COLUMNS = ("domaine", "domaine_libelle", "question_code", "type", "question", "reponses", "bonne_reponse")
OPTION_SEPARATOR = " | "
MAX_ERRORS = 20


class BankError(ValueError):
    """A bank file that cannot be stored; ``errors`` are French, one per problem, with their line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class DomainRow:
    line: int
    code: str
    label: str
    description: str = ""


@dataclass
class ItemRow:
    line: int
    code: str
    domain: str
    kind: str
    text: str
    options: list[str]
    correct: int | None  # rank from 0


@dataclass
class Bank:
    domains: list[DomainRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)


@dataclass(frozen=True)
class ImportStats:
    domains: int
    items: int
    retired: int

    def __str__(self) -> str:
        return f"{self.domains} domaines, {self.items} questions, {self.retired} questions retirées"


def _unneutralise(value: str) -> str:
    """Undo the apostrophe our exports put before a formula-like text (« '+25 % » → « +25 % »)."""
    if value.startswith("'") and value[1:2] in exports._FORMULA_START:
        return value[1:]
    return value


def _text(value: Any) -> str:
    return _unneutralise(str(value).strip()) if value is not None else ""


def _rank(value: Any, line: int, code: str, errors: list[str]) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        rank = int(text)
    except ValueError:
        errors.append(
            f"ligne {line} (question « {code} ») : bonne_reponse « {text} » n'est pas un rang (1, 2…)"
        )
        return None
    return rank - 1


def read_csv(data: bytes) -> Bank:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BankError(["le fichier n'est pas en UTF-8 : enregistrez-le en CSV UTF-8"]) from exc
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise BankError([f"ligne 1 : colonnes manquantes : {', '.join(missing)}"])
    bank = Bank()
    errors: list[str] = []
    seen_domains: dict[str, DomainRow] = {}
    for number, row in enumerate(reader, start=2):
        code = _text(row.get("question_code"))
        domain = _text(row.get("domaine"))
        if domain and domain not in seen_domains:
            seen_domains[domain] = DomainRow(number, domain, _text(row.get("domaine_libelle")) or domain)
            bank.domains.append(seen_domains[domain])
        options = [_text(o) for o in _text(row.get("reponses")).split("|")] if row.get("reponses") else []
        bank.items.append(
            ItemRow(
                line=number,
                code=code,
                domain=domain,
                kind=_text(row.get("type")),
                text=_text(row.get("question")),
                options=options,
                correct=_rank(row.get("bonne_reponse"), number, code, errors),
            )
        )
    if errors:
        raise BankError(errors)
    return bank


class _LineLoader(yaml.SafeLoader):
    """Safe YAML whose mappings remember their line (``__line__``) for the error messages."""


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(data: bytes) -> Bank:
    try:
        document = yaml.load(data.decode("utf-8-sig"), Loader=_LineLoader)  # noqa: S506 (a SafeLoader)
    except UnicodeDecodeError as exc:
        raise BankError(["le fichier n'est pas en UTF-8"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1} : " if mark is not None else ""
        raise BankError([f"{where}YAML illisible ({getattr(exc, 'problem', exc)})"]) from exc
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        raise BankError(["ligne 1 : le fichier doit avoir une liste « domaines » et une liste « questions »"])
    bank = Bank()
    errors: list[str] = []
    for entry in document.get("domaines") or []:
        if not isinstance(entry, dict):
            errors.append("« domaines » doit être une liste de domaines (code, libelle, description)")
            continue
        line = int(entry.get("__line__", 0))
        bank.domains.append(
            DomainRow(
                line, _text(entry.get("code")), _text(entry.get("libelle")), _text(entry.get("description"))
            )
        )
    for entry in document["questions"]:
        if not isinstance(entry, dict):
            errors.append("« questions » doit être une liste de questions (code, domaine, type…)")
            continue
        line = int(entry.get("__line__", 0))
        code = _text(entry.get("code"))
        raw_options = entry.get("reponses") or []
        options = [_text(o) for o in raw_options] if isinstance(raw_options, list) else [_text(raw_options)]
        bank.items.append(
            ItemRow(
                line=line,
                code=code,
                domain=_text(entry.get("domaine")),
                kind=_text(entry.get("type")),
                text=_text(entry.get("question")),
                options=options,
                correct=_rank(entry.get("bonne_reponse"), line, code, errors),
            )
        )
    if errors:
        raise BankError(errors)
    return bank


def read(data: bytes, fmt: str) -> Bank:
    if fmt == "csv":
        return read_csv(data)
    if fmt in ("yaml", "yml"):
        return read_yaml(data)
    raise BankError([f"format « {fmt} » inconnu : CSV ou YAML"])


def check(bank: Bank) -> None:
    """Raise :class:`BankError` with every problem of the file (at most ``MAX_ERRORS``)."""
    errors: list[str] = []
    domains: dict[str, DomainRow] = {}
    for domain in bank.domains:
        if not domain.code:
            errors.append(f"ligne {domain.line} : domaine sans code")
        elif domain.code in domains:
            errors.append(
                f"ligne {domain.line} : le domaine « {domain.code} » est déjà déclaré ligne {domains[domain.code].line}"
            )
        else:
            domains[domain.code] = domain
        if domain.code and not domain.label:
            errors.append(f"ligne {domain.line} : le domaine « {domain.code} » n'a pas de libellé")
    if not bank.items:
        errors.append("le fichier ne contient aucune question")
    seen: dict[str, ItemRow] = {}
    checks: dict[str, int] = dict.fromkeys(domains, 0)
    autos: dict[str, int] = dict.fromkeys(domains, 0)
    for item in bank.items:
        name = f"question « {item.code} »" if item.code else "question sans code"
        if not item.code:
            errors.append(f"ligne {item.line} : question sans code (colonne question_code)")
        elif item.code in seen:
            errors.append(
                f"ligne {item.line} : la question « {item.code} » figure déjà ligne {seen[item.code].line}"
            )
        else:
            seen[item.code] = item
        if not item.domain:
            errors.append(f"ligne {item.line} ({name}) : le domaine manque")
        elif item.domain not in domains:
            errors.append(f"ligne {item.line} ({name}) : le domaine « {item.domain} » n'est pas déclaré")
        if not item.text:
            errors.append(f"ligne {item.line} ({name}) : le texte de la question manque")
        problem = item_problem(item.kind, item.options, item.correct)
        if problem:
            errors.append(f"ligne {item.line} ({name}) : {problem}")
        if item.domain in domains:
            if item.kind == ItemKind.VERIFICATION:
                checks[item.domain] += 1
            elif item.kind == ItemKind.AUTO:
                autos[item.domain] += 1
    for code, domain in domains.items():
        if checks[code] != 1:
            errors.append(
                f"ligne {domain.line} : le domaine « {code} » doit avoir exactement une question de vérification "
                f"({checks[code]} trouvée{'s' if checks[code] > 1 else ''})"
            )
        if autos[code] == 0:
            errors.append(
                f"ligne {domain.line} : le domaine « {code} » n'a aucune question d'auto-positionnement"
            )
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(f"… et {len(errors) - MAX_ERRORS} autres problèmes")
        raise BankError(shown)


@transaction.atomic
def store(bank: Bank) -> ImportStats:
    """Check, then upsert the bank; nothing is changed when the check fails."""
    check(bank)
    domains: dict[str, Domain] = {}
    for position, declared in enumerate(bank.domains):
        domains[declared.code], _ = Domain.objects.update_or_create(
            code=declared.code,
            defaults={"label": declared.label, "description": declared.description, "position": position},
        )
    positions: dict[str, int] = {}
    for row in bank.items:
        positions[row.domain] = positions.get(row.domain, -1) + 1
        Item.objects.update_or_create(
            code=row.code,
            defaults={
                "domain": domains[row.domain],
                "kind": row.kind,
                "text": row.text,
                "options": row.options,
                "correct_option": row.correct,
                "position": positions[row.domain],
                "active": True,
            },
        )
    retired = Item.objects.active().exclude(code__in=[i.code for i in bank.items]).update(active=False)
    return ImportStats(len(bank.domains), len(bank.items), retired)


def import_bytes(data: bytes, fmt: str) -> ImportStats:
    return store(read(data, fmt))


def ensure_default() -> ImportStats | None:
    """Load the project's default bank when the bank is empty (first start, demo); None otherwise."""
    if Item.objects.exists():
        return None
    return import_bytes(DEFAULT_BANK.read_bytes(), "yaml")


def _stored_bank() -> Bank:
    bank = Bank()
    used = Domain.objects.filter(items__active=True).distinct().order_by("position", "code")
    for stored in used:
        bank.domains.append(DomainRow(0, stored.code, stored.label, stored.description))
    for item in Item.objects.active().in_bank_order():
        bank.items.append(
            ItemRow(
                0, item.code, item.domain.code, item.kind, item.text, list(item.options), item.correct_option
            )
        )
    return bank


def export_csv() -> bytes:
    bank = _stored_bank()
    labels = {d.code: d.label for d in bank.domains}
    rows = [
        [
            item.domain,
            labels[item.domain],
            item.code,
            item.kind,
            item.text,
            OPTION_SEPARATOR.join(item.options),
            "" if item.correct is None else item.correct + 1,
        ]
        for item in bank.items
    ]
    return exports.to_csv(CSV_COLUMNS, rows)


def export_yaml() -> bytes:
    bank = _stored_bank()
    document: dict[str, Any] = {
        "domaines": [
            {"code": d.code, "libelle": d.label, "description": d.description} for d in bank.domains
        ],
        "questions": [],
    }
    for item in bank.items:
        entry: dict[str, Any] = {
            "code": item.code,
            "domaine": item.domain,
            "type": item.kind,
            "question": item.text,
            "reponses": item.options,
        }
        if item.correct is not None:
            entry["bonne_reponse"] = item.correct + 1
        document["questions"].append(entry)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120).encode("utf-8")


def export(fmt: str) -> bytes:
    if fmt == "csv":
        return export_csv()
    if fmt in ("yaml", "yml"):
        return export_yaml()
    raise BankError([f"format « {fmt} » inconnu : CSV ou YAML"])
