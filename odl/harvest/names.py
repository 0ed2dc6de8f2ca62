"""How a publisher or a collectivité is named: the distinctive part of a name, the kind it implies.

Publishers write the same collectivité many ways: « Département de l'Ain », « Conseil départemental de
l'Isère », « Le Conseil Départemental de la Mayenne », « Communauté d'agglomération de Gap-Tallard-Durance »
for the référentiel's « CA Gap-Tallard-Durance », « Angers Loire Métropole » for « CU Angers Loire
Métropole », « Saint-Malo Agglomération » for « CA du Pays de Saint Malo Agglomération ». Both sides go
through :func:`name_of`, so that a name and its collectivité meet on the same keys:

- ``full``: folded, the kind words and the link after them removed (« Ville du Mans » → ``le mans``:
  « du » carries the article of « Le Mans »);
- ``loose``: ``full`` without its leading article (``mans``), for « Plessis-Trévise » and « Le
  Plessis-Trévise »;
- ``epci``: looser keys for groupings, without the grouping word at the end (« Agglomération »,
  « Métropole », « Communauté »), without « Pays de », without link words;
- ``kind``: what the kind words say (commune, département, région, EPCI), or ``""``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from odl.core.text import fold
from odl.territories.models import Kind

COMMUNE, DEPARTEMENT, REGION, EPCI = (
    Kind.COMMUNE.value,
    Kind.DEPARTEMENT.value,
    Kind.REGION.value,
    Kind.EPCI.value,
)

# Folded words that name a kind of collectivité at the start of a name. Longest first: "communaute de
# communes" must win over "communaute", "conseil departemental" over nothing.
_KIND_WORDS: list[tuple[str, str]] = sorted(
    [
        ("commune nouvelle", COMMUNE),
        ("commune", COMMUNE),
        ("ville", COMMUNE),
        ("mairie", COMMUNE),
        ("municipalite", COMMUNE),
        ("departement", DEPARTEMENT),
        ("conseil departemental", DEPARTEMENT),
        ("conseil general", DEPARTEMENT),
        ("region", REGION),
        ("conseil regional", REGION),
        ("communaute d agglomeration", EPCI),
        ("communaute de l agglomeration", EPCI),
        ("communaute de communes", EPCI),
        ("communaute de commune", EPCI),
        ("communaute urbaine", EPCI),
        ("communaute", EPCI),
        ("agglomeration", EPCI),
        ("agglo", EPCI),
        ("metropole", EPCI),
        ("ca", EPCI),
        ("cc", EPCI),
        ("cu", EPCI),
    ],
    key=lambda pair: -len(pair[0]),
)
# The word after a kind word, and the article it carries into the name (« du Mans » → « le mans »).
_LINKS: list[tuple[str, str]] = [
    ("de la", "la"),
    ("de l", "l"),
    ("des", "les"),
    ("du", "le"),
    ("de", ""),
    ("d", ""),
    ("la", "la"),
    ("le", "le"),
    ("les", "les"),
    ("l", "l"),
]
_ARTICLES = ("les", "la", "le", "l")
# A grouping's word at the end of its name: « Vitré Communauté », « Niort Agglomération ».
_EPCI_SUFFIXES = ("communaute de communes", "communaute", "agglomeration", "agglo", "metropole")
_LINK_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "et"}
_PARENTHESES = re.compile(r"\([^)]*\)?")
_ABBREVIATIONS = ((re.compile(r"\bst\b"), "saint"), (re.compile(r"\bste\b"), "sainte"))
# « CD25 », « CD 35 », « CG 22 »: a département's council by its number.
_DEPARTEMENT_NUMBER = re.compile(r"^(?:cd|cg|conseil departemental|conseil general)\s?(\d{2,3}|2a|2b)$")
# Bodies that publish for someone else: what follows "pour" names the collectivité.
_ON_BEHALF = re.compile(r"^megalis(?: bretagne)? pour (?:le compte de )?(.+)$")

# Names in use that the référentiel writes otherwise (folded, article removed) → (kind, code).
ALIASES: dict[str, tuple[str, str]] = {
    "collectivite de corse": (REGION, "94"),
    "collectivite territoriale de corse": (REGION, "94"),
    "corse collectivite": (REGION, "94"),
    "collectivite europeenne d alsace": (DEPARTEMENT, "67"),
    "alsace collectivite europeenne": (DEPARTEMENT, "67"),
    "collectivite territoriale de martinique": (REGION, "02"),
    "collectivite territoriale de guyane": (REGION, "03"),
    "region sud": (REGION, "93"),
    "sud": (REGION, "93"),
    "sud provence alpes cote d azur": (REGION, "93"),
    "region sud provence alpes cote d azur": (REGION, "93"),
    "gouvernement de la nouvelle caledonie": (DEPARTEMENT, "988"),
    "nouvelle caledonie gouvernement": (DEPARTEMENT, "988"),
}


@dataclass(frozen=True)
class Name:
    full: str
    loose: str
    epci: tuple[str, ...]
    kind: str
    alias: tuple[str, str] | None = None
    departement_number: str = ""


def _strip_article(text: str) -> str:
    for article in _ARTICLES:
        if text.startswith(article + " "):
            return text[len(article) + 1 :]
    return text


def _after_kind_words(text: str) -> tuple[str, str]:
    """Remove the kind words at the start (and the link after them); return the rest and the kind."""
    kind = ""
    for _ in range(3):  # « Mairie - Ville de … », « Le Conseil départemental du Département de … »
        bare = _strip_article(text)
        for words, words_kind in _KIND_WORDS:
            if bare.startswith(words + " "):
                rest = bare[len(words) + 1 :]
                for link, article in _LINKS:
                    if rest.startswith(link + " "):
                        rest = (f"{article} " if article else "") + rest[len(link) + 1 :]
                        break
                text, kind = rest, kind or words_kind
                break
        else:
            break
    return text.strip(), kind


def _epci_keys(loose: str) -> tuple[str, ...]:
    keys = {loose}
    for suffix in _EPCI_SUFFIXES:
        if loose.endswith(" " + suffix):
            keys.add(loose[: -len(suffix) - 1])
            break
    for key in list(keys):
        for start in ("pays de ", "pays du ", "pays d ", "pays des ", "pays "):
            if key.startswith(start):
                keys.add(key[len(start) :])
                break
    for key in list(keys):
        keys.add(" ".join(word for word in key.split() if word not in _LINK_WORDS))
    keys.discard("")
    return tuple(sorted(keys))


@lru_cache(maxsize=200_000)
def name_of(raw: str) -> Name:
    text = fold(_PARENTHESES.sub(" ", raw or ""))
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    behalf = _ON_BEHALF.match(text)
    if behalf:
        text = behalf.group(1)
    number = _DEPARTEMENT_NUMBER.match(text)
    alias = ALIASES.get(_strip_article(text))
    full, kind = _after_kind_words(text)
    if not kind and any(full.endswith(" " + suffix) for suffix in _EPCI_SUFFIXES):
        kind = EPCI
    loose = _strip_article(full)
    if alias is None:
        alias = ALIASES.get(loose)
    code = number.group(1) if number else ""
    if code:
        kind = DEPARTEMENT
    if not code and kind == DEPARTEMENT and re.fullmatch(r"\d{2,3}|2a|2b", loose):
        code = loose
    return Name(
        full=full,
        loose=loose,
        epci=_epci_keys(loose),
        kind=kind or (alias[0] if alias else ""),
        alias=alias,
        departement_number=code.upper(),
    )


def grouping_keys(raw: str) -> tuple[str, ...]:
    """More keys for a grouping of the référentiel: its acronym in parentheses (« CA de la Région
    Nazairienne et de l'Estuaire (CARENE) »), the part before a dash (« CC Loudéac Communauté - Bretagne
    Centre ») when it says more than one word."""
    keys: set[str] = set()
    for inside in re.findall(r"\(([^)]*)\)", raw or ""):
        folded = fold(inside)
        if len(folded.replace(" ", "")) >= 3 and len(folded.split()) <= 4:
            keys.add(folded)
    if " - " in (raw or ""):
        head = name_of(raw.split(" - ", 1)[0])
        if len(head.loose.split()) >= 2:
            keys.update(head.epci)
    return tuple(sorted(keys))


def core_name(raw: str) -> tuple[str, str]:
    """The distinctive part of a name and the kind its words imply (``name_of`` in short)."""
    name = name_of(raw)
    return name.full, name.kind
