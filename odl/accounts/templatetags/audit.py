"""``{% audit_trail obj %}``: who changed what on an object, from django-auditlog, in plain French."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditlog.models import LogEntry
from django import template

from odl.accounts.team import display_name

register = template.Library()

ACTIONS = {
    LogEntry.Action.CREATE: "création",
    LogEntry.Action.UPDATE: "modification",
    LogEntry.Action.DELETE: "suppression",
    LogEntry.Action.ACCESS: "consultation",
}
# Values Python writes that a reader should see in words.
WORDS = {"None": "—", "": "—", "True": "oui", "False": "non"}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    action: str
    changes: list[Change]


def _word(value: Any) -> str:
    text = str(value)
    return WORDS.get(text, text)


def trail(obj: Any, limit: int = 20) -> list[Entry]:
    entries = LogEntry.objects.get_for_object(obj).select_related("actor", "content_type")[:limit]
    found = []
    for entry in entries:
        changes = []
        if entry.action == LogEntry.Action.UPDATE:
            for field, values in entry.changes_display_dict.items():
                old, new = (list(values) + ["", ""])[:2]
                changes.append(Change(str(field), _word(old), _word(new)))
        who = display_name(entry.actor) if entry.actor else "la plateforme"
        found.append(Entry(entry.timestamp, who, ACTIONS.get(entry.action, "modification"), changes))
    return found


@register.inclusion_tag("accounts/audit_trail.html")
def audit_trail(obj: Any, limit: int = 20) -> dict[str, Any]:
    return {"entries": trail(obj, limit)}
