"""Cleaning what a source says: text, dates, licences, links and the identity keys used to deduplicate.

Everything a harvester reads is untrusted; every ``item()`` goes through these helpers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware

from odl.core.text import fold
from odl.harvest.harvesters.errors import SourceUrlError

MAX_TITLE = 500
MAX_DESCRIPTION = 20_000
MAX_TAGS = 100
MAX_RESOURCES = 200


def clean_text(value: Any, limit: int) -> str:
    """Outside text as a plain string, cut to ``limit`` characters; escaping is the templates' job."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v is not None)
    text = str(value).replace("\x00", "").strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def parse_when(value: Any) -> datetime | None:
    """A date or datetime from a source, or None when it is missing or not a real date."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    try:
        moment = parse_datetime(text.replace("Z", "+00:00"))
        if moment is None:
            day = parse_date(text[:10])
            if day is None:
                return None
            moment = datetime(day.year, day.month, day.day)
    except ValueError:
        return None
    if not 1900 <= moment.year <= 2200:
        return None
    if is_naive(moment):
        moment = make_aware(moment, UTC)
    return moment


KNOWN_LICENSES = {
    "lov2": "Licence Ouverte v2.0",
    "fr-lo": "Licence Ouverte v1.0",
    "licence ouverte": "Licence Ouverte",
    "licence ouverte v2 0": "Licence Ouverte v2.0",
    "licence ouverte version 2 0": "Licence Ouverte v2.0",
    "etalab 2 0": "Licence Ouverte v2.0",
    "etalab": "Licence Ouverte",
    "open licence": "Licence Ouverte",
    "odc odbl": "ODbL",
    "odbl": "ODbL",
    "open database license odbl": "ODbL",
    "cc by": "CC-BY",
    "cc by 4 0": "CC-BY 4.0",
    "cc by sa": "CC-BY-SA",
    "cc by sa 4 0": "CC-BY-SA 4.0",
    "cc zero": "CC0",
    "cc0": "CC0",
    "cc0 1 0": "CC0",
    "odc pddl": "PDDL",
    "other open": "Autre licence ouverte",
    "other at": "Autre licence (attribution)",
    "notspecified": "",
    "license not specified": "",
    "not specified": "",
    "other closed": "Licence fermée",
    "open government licence v3 0": "Open Government Licence v3.0",
    "uk ogl": "Open Government Licence",
}


def normalise_license(value: Any) -> str:
    """A licence label we know, the source's own short label, or "" (unknown) for anything odd."""
    if not value or not isinstance(value, str):
        return ""
    text = value.strip()
    folded = fold(text)
    if folded in KNOWN_LICENSES:
        return KNOWN_LICENSES[folded]
    if "licence ouverte" in folded or "licence_ouverte" in text.lower() or "etalab" in folded:
        return "Licence Ouverte"
    if "odbl" in folded:
        return "ODbL"
    if "creativecommons org" in folded or folded.startswith("cc "):
        return clean_text(text, 200)
    # A sentence, markup or garbage is not a licence label: record it as unknown.
    if len(text) > 80 or "<" in text or not any(ch.isalpha() for ch in text):
        return ""
    return clean_text(text, 200)


def safe_url(value: Any) -> str:
    """An http(s) URL we may put in an href, or "": a harvested ``javascript:`` link must never be clickable."""
    text = clean_text(value, 1000).replace(" ", "%20")
    if any(ord(ch) < 32 for ch in text):
        return ""
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return text


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def identity_key(kind: str, host: str, remote_id: str) -> str:
    """The cross-platform identity of a dataset: the same on the portal and on data.gouv.fr's copy."""
    return f"{kind}:{host.lower().removeprefix('www.')}:{remote_id}"[:300]


def uri_key(uri: str, prefix: str = "uri") -> str:
    """The identity of a dataset URI: host without ``www.``, path, query, and a route fragment.

    A plain anchor (``#dataset``) names a part of one page and is dropped; a fragment that is a route
    (``…/catalog.search#/metadata/<uuid>``, GeoNetwork's record pages) is what tells one record from
    the next on the same page, and is kept.
    """
    parts = urlsplit(uri.strip())
    if not parts.scheme:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = "?" + parts.query if parts.query else ""
    fragment = "#" + parts.fragment if parts.fragment.startswith(("/", "!/")) else ""
    return f"{prefix}:{host}{parts.path.rstrip('/')}{query}{fragment}"[:300]


def page_key(url: str) -> str:
    """The key of a dataset's page (landing page, or a copy's ``remote_url``), for deduplication
    when no identifier links a copy to its original."""
    return uri_key(url, "page") if url.startswith(("http://", "https://")) else ""


def validate_http_url(url: str) -> str:
    """The URL as given when it is an absolute http(s) URL; a French SourceUrlError otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceUrlError(f"« {url} » n'est pas une adresse web valide : elle doit commencer par https://")
    return url


def portal_base(url: str) -> str:
    """The portal's root from whatever URL was declared (``…/api/3/action``, ``…/api/explore/v2.1``)."""
    base = url.rstrip("/")
    marker = base.find("/api/")
    return base[:marker] if marker >= 0 else base
