"""Values checked before they reach the database, so that SQLite and PostgreSQL refuse the same things.

SQLite stores a 400-character string in a ``max_length=200`` column and crashes (OverflowError) on an
integer past 64 bits, where PostgreSQL refuses the first and answers the second: the checks here run
first, on both, with a French message.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db import models

# The largest integer both databases store (a signed 64-bit BIGINT).
MAX_DB_INT = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")


def db_int(text: str | int, *, maximum: int = MAX_DB_INT) -> int:
    """``text`` as a non-negative integer a database column holds; ValueError (French) otherwise."""
    if isinstance(text, int):
        number = text
    else:
        cleaned = text.strip()
        # isdigit() accepts "²" and other digits int() refuses: only ASCII digits count.
        if not _DIGITS.fullmatch(cleaned):
            raise ValueError(f"« {text} » n'est pas un nombre entier positif")
        if len(cleaned) > 30:
            raise ValueError(f"« {cleaned[:30]}… » est un nombre bien trop grand")
        number = int(cleaned)
    if not 0 <= number <= maximum:
        raise ValueError(
            f"{number} dépasse la valeur la plus grande acceptée ({maximum:,})".replace(",", " ")
        )
    return number


def finite(value: float) -> bool:
    """NaN and infinities are not counts: float("nan") parses, but round() of it crashes."""
    return math.isfinite(value)


def too_long(instance: models.Model, labels: dict[str, str] | None = None) -> list[str]:
    """Every text field of ``instance`` longer than its column allows, as French messages.

    ``labels`` names the fields in French when their ``verbose_name`` is not.
    """
    from django.db import models  # here: the command line reads db_int without loading the ORM

    problems = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField) and field.max_length is not None:
            value = getattr(instance, field.attname)
            if isinstance(value, str) and len(value) > field.max_length:
                problems.append(
                    f"« {(labels or {}).get(field.name, str(field.verbose_name))} » fait {len(value)} caractères : {field.max_length} au plus"
                )
    return problems
