"""Cleaning what a source says: text, dates, licences, links and the identity keys used to deduplicate.

Everything a harvester reads is untrusted; every ``item()`` goes through these helpers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware

from odl.core.text import fold
from odl.harvest.harvesters.errors import SourceUrlError

MAX_TITLE = 500
MAX_DESCRIPTION = 20_000
MAX_TAGS = 100
MAX_RESOURCES = 200
MIN_YEAR = 1000


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
    # Historical records (a cadastre of 1810) are real; year 1 or 9999 are placeholders.
    if not MIN_YEAR <= moment.year <= 2200:
        return None
    if is_naive(moment):
        moment = make_aware(moment, UTC)
    return moment


KNOWN_LICENSES = {
    "lov2": "Licence Ouverte v2.0",
    # data.gouv.fr's ids, folded (« fr-lo » → « fr lo »).
    "fr lo": "Licence Ouverte v1.0",
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
    "cczero": "CC0",
    "creative commons cczero": "CC0",
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


_VERSION = re.compile(r"\b(?:v|version\s*)?([0-9])(?:\s([0-9]))?\b")
_CC_KINDS = (
    ("by nc nd", "CC-BY-NC-ND"),
    ("by nc sa", "CC-BY-NC-SA"),
    ("by nd", "CC-BY-ND"),
    ("by nc", "CC-BY-NC"),
    ("by sa", "CC-BY-SA"),
    ("attribution sharealike", "CC-BY-SA"),
    ("attribution share alike", "CC-BY-SA"),
    ("by", "CC-BY"),
    ("attribution", "CC-BY"),
)


def _version(folded: str) -> str:
    """ "2.0" from « … version 2.0 », « lov2 », « 4 0 »; "" when the label names no version."""
    compact = folded.replace("lov2", "v2").replace("lov1", "v1")
    match = _VERSION.search(compact)
    if match is None:
        return ""
    return f"{match.group(1)}.{match.group(2) or '0'}"


def normalise_license(value: Any) -> str:
    """A licence label we know, the source's own short label, or "" (unknown) for anything odd.

    Ids and titles of every route (CKAN ``license_id`` / ``license_title``, data.gouv.fr ids, DCAT
    URIs) give the same label, with the version when the source says which: Licence Ouverte v1.0 and
    v2.0 are different licences.
    """
    if not value or not isinstance(value, str):
        return ""
    text = value.strip()
    folded = fold(text)
    if folded in KNOWN_LICENSES:
        return KNOWN_LICENSES[folded]
    lowered = text.lower()
    if (
        "licence ouverte" in folded
        or "licence_ouverte" in lowered
        or "open licence" in folded
        or "etalab" in folded
        or folded.startswith("lov")
    ):
        version = _version(folded.replace("etalab", ""))
        return f"Licence Ouverte v{version}" if version in ("1.0", "2.0") else "Licence Ouverte"
    if "odbl" in folded or "open database license" in folded:
        return "ODbL"
    if "cc0" in folded or "cc zero" in folded or "publicdomain zero" in folded:
        return "CC0"
    if "creativecommons org" in folded or folded.startswith("cc ") or "creative commons" in folded:
        rest = folded.split("licenses", 1)[-1] if "creativecommons org" in folded else folded
        for words, label in _CC_KINDS:
            if re.search(rf"\b{words}\b", rest):
                version = _version(rest)
                return f"{label} {version}" if version else label
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


# Media types and EU file types as the short names people know; anything else keeps its own name.
MEDIA_TYPES = {
    "text/csv": "CSV",
    "application/csv": "CSV",
    "application/json": "JSON",
    "application/geo+json": "GeoJSON",
    "application/vnd.geo+json": "GeoJSON",
    "application/ld+json": "JSON-LD",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/pdf": "PDF",
    "application/zip": "ZIP",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.google-earth.kml+xml": "KML",
    "application/rdf+xml": "RDF/XML",
    "text/turtle": "Turtle",
    "text/html": "HTML",
    "text/plain": "TXT",
    "application/x-shapefile": "SHP",
    "application/vnd.shp": "SHP",
    "application/gml+xml": "GML",
    "application/geopackage+sqlite3": "GPKG",
    "application/x-parquet": "Parquet",
    "application/vnd.apache.parquet": "Parquet",
}
FILE_TYPES = {"GEOJSON": "GeoJSON", "JSON_LD": "JSON-LD", "RDF_XML": "RDF/XML", "SHP": "SHP", "TXT": "TXT"}
MAX_FORMAT = 60


def format_name(value: Any) -> str:
    """A resource format as a short name (CSV, XLSX, JSON…) from a label, a media type, or an IANA or
    EU vocabulary URI; never cut in the middle of a name."""
    text = clean_text(value, 1000)
    if not text:
        return ""
    if text.startswith(("http://", "https://")):
        path = unquote(urlsplit(text).path).rstrip("/")
        if "/media-types/" in path:
            text = path.split("/media-types/", 1)[1]
        elif "/file-type/" in path:
            code = path.rsplit("/", 1)[-1].upper()
            return FILE_TYPES.get(code, code)[:MAX_FORMAT]
        else:
            text = path.rsplit("/", 1)[-1]
    lowered = text.lower().split(";")[0].strip()
    if lowered in MEDIA_TYPES:
        return MEDIA_TYPES[lowered]
    if "/" in lowered:
        # An unknown media type: its subtype, without the vendor tree prefixes.
        subtype = lowered.split("/", 1)[1].removeprefix("vnd.").removeprefix("x-")
        return subtype.split("+")[0].upper()[:MAX_FORMAT]
    return text[:MAX_FORMAT] if len(text) <= MAX_FORMAT else ""


def split_keywords(values: Any) -> list[str]:
    """Keywords as a source gives them (a list, or « a, b; c » in one value), split, cleaned, once each."""
    if isinstance(values, str):
        values = [values]
    found: dict[str, None] = {}
    for value in values or []:
        if not isinstance(value, str):
            continue
        for part in re.split(r"[,;]", value):
            keyword = clean_text(part, 100)
            if keyword:
                found.setdefault(keyword)
    return list(found)[:MAX_TAGS]
