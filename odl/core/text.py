"""Text helpers shared by search, matching and imports."""

import datetime
import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def fold(value: str) -> str:
    """Lower-case, strip accents, turn punctuation into single spaces.

    ``fold("Saint-Étienne")`` and ``fold("saint etienne")`` are both ``"saint etienne"``.
    """
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = ascii_only.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return _NON_ALNUM.sub(" ", ascii_only.lower()).strip()


def format_int_fr(value: int | None) -> str:
    """``3512`` → ``"3 512"`` with a narrow no-break space, as French typography wants."""
    if value is None:
        return "non renseigné"
    return f"{value:,}".replace(",", "\u202f")


def format_date_fr(value: datetime.date) -> str:
    """``date(2026, 12, 1)`` → ``"1er décembre 2026"``: French writes the first day as an ordinal."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS_FR[value.month - 1]} {value.year}"
