"""Import of the national standard « lieux de médiation numérique » (CSV), from a file or a URL.

The standard (Table Schema ``schema-lieux-mediation-numerique``): one line per place, with ``id``,
``nom``, ``adresse``, ``commune``, ``code_postal``, ``code_insee``, ``latitude``, ``longitude``,
``typologie`` (structure types, ``;``-separated: ``TIERS_LIEUX``, ``BIB``, ``ASSO``…), ``telephone``,
``courriels``, ``site_web``, ``horaires``, ``presentation_resume``, ``presentation_detail``, ``source``,
``date_maj``, ``services``… Columns this directory does not keep are ignored.

A line is imported whole or not at all: missing or impossible coordinates, a code INSEE that is
malformed or absent from the référentiel, a missing name or id are reported in French with the line
number, and the other lines are imported. A place already stored (same ``id``) is updated, never
deleted; one a team corrected by hand (``origin`` manual) is left alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from odl.core.netguard import InternalAddressRefused, guarded_client
from odl.places.models import HTTP_URL, Origin, Place, PlaceKind
from odl.territories.models import Kind, Territory

REQUIRED = ("id", "nom", "latitude", "longitude")
CODE_INSEE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")
MAX_REPORTED = 500
# Typologie codes (data.inclusion's structure types) that say which kind of place it is.
KIND_BY_TYPOLOGIE = {
    "TIERS_LIEUX": PlaceKind.TIERS_LIEU,
    "BIB": PlaceKind.MEDIATHEQUE,
    "MEDIATHEQUE": PlaceKind.MEDIATHEQUE,
}


class ImportProblem(ValueError):
    """The whole file cannot be read (French message); nothing was stored."""


@dataclass
class Report:
    lines: int = 0
    created: int = 0
    updated: int = 0
    kept: int = 0  # corrected by hand: not overwritten
    errors: list[str] = field(default_factory=list)
    refused: int = 0

    def add_error(self, line: int, message: str) -> None:
        self.refused += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(f"ligne {line} : {message}")

    def summary(self) -> str:
        return (
            f"{self.lines} ligne(s) lue(s) : {self.created} lieu(x) créé(s), {self.updated} mis à jour, "
            f"{self.kept} corrigé(s) à la main laissé(s) tel(s) quel(s), {self.refused} ligne(s) refusée(s)"
        )


def max_bytes() -> int:
    return int(settings.ODL_PLACES_IMPORT_MAX_MB) * 1024 * 1024


def fetch(url: str) -> bytes:
    """Download a file of places through the internal-address guard, within the size limit."""
    try:
        HTTP_URL(url)
    except Exception:
        raise ImportProblem(f"Adresse invalide : « {url[:200]} » (http ou https attendu).") from None
    limit = max_bytes()
    try:
        with guarded_client(timeout=30.0, follow_redirects=True, max_redirects=5) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise ImportProblem(f"Le serveur a répondu {response.status_code} pour {url}.")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > limit:
                        raise ImportProblem(f"Fichier trop volumineux : plus de {limit // (1024 * 1024)} Mo.")
                return bytes(body)
    except InternalAddressRefused as exc:
        raise ImportProblem(f"Adresse refusée : {exc}.") from None
    except httpx.HTTPError as exc:
        raise ImportProblem(f"Téléchargement impossible depuis {url} ({exc.__class__.__name__}).") from None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportProblem("Encodage illisible : enregistrez le fichier en UTF-8.")  # pragma: no cover


def _rows(data: bytes) -> tuple[list[str], csv.DictReader[str]]:
    if len(data) > max_bytes():
        raise ImportProblem(f"Fichier trop volumineux : plus de {settings.ODL_PLACES_IMPORT_MAX_MB} Mo.")
    if b"\x00" in data[:4096]:
        raise ImportProblem("Ce fichier n'est pas un CSV (contenu binaire) : exportez-le en CSV.")
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportProblem(
            "Colonnes obligatoires du standard « lieux de médiation numérique » absentes : "
            f"{', '.join(missing)} (colonnes lues : {', '.join(header[:12]) or 'aucune'})."
        )
    return header, reader


def _number(value: str) -> float | None:
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _kind(typologie: str) -> str:
    for code in [c.strip().upper() for c in typologie.split(";")]:
        if code in KIND_BY_TYPOLOGIE:
            return str(KIND_BY_TYPOLOGIE[code])
    return str(PlaceKind.MEDIATION)


def _first_url(value: str) -> str:
    for candidate in (value or "").split(";"):
        candidate = candidate.strip()
        try:
            HTTP_URL(candidate)
            return candidate[:500]
        except Exception:
            continue
    return ""


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def _check(line: int, row: dict[str, Any], communes: dict[str, int], report: Report) -> dict[str, Any] | None:
    def get(name: str) -> str:
        return str(row.get(name) or "").strip()

    remote_id, name = get("id"), get("nom")
    if not remote_id:
        report.add_error(line, "identifiant (« id ») manquant")
        return None
    if not name:
        report.add_error(line, f"nom (« nom ») manquant pour le lieu « {remote_id[:60]} »")
        return None
    lat, lon = _number(get("latitude")), _number(get("longitude"))
    if lat is None or lon is None:
        report.add_error(
            line, f"coordonnées manquantes ou illisibles (latitude, longitude) pour « {name[:80]} »"
        )
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        report.add_error(line, f"coordonnées impossibles ({lat}, {lon}) pour « {name[:80]} »")
        return None
    code = get("code_insee").upper()
    if not code:
        report.add_error(line, f"code INSEE (« code_insee ») manquant pour « {name[:80]} »")
        return None
    if not CODE_INSEE.match(code):
        report.add_error(
            line,
            f"code INSEE « {code[:12]} » invalide (5 caractères attendus, ex. 35238) pour « {name[:80]} »",
        )
        return None
    if code not in communes:
        report.add_error(
            line, f"code INSEE « {code} » absent du référentiel des communes pour « {name[:80]} »"
        )
        return None
    return {
        "remote_id": remote_id[:200],
        "name": name[:300],
        "kind": _kind(get("typologie")),
        "address": " ".join(filter(None, [get("adresse"), get("complement_adresse")]))[:500],
        "postcode": get("code_postal")[:5],
        "commune_id": communes[code],
        "latitude": lat,
        "longitude": lon,
        "website": _first_url(get("site_web")),
        "phone": get("telephone")[:40],
        "email": get("courriels").split(";")[0].strip()[:300],
        "hours": get("horaires")[:500],
        "description": get("presentation_detail") or get("presentation_resume"),
        "services": get("services"),
        "typologie": get("typologie")[:300],
        "source": get("source")[:300],
        "updated_on": _date(get("date_maj")),
    }


UPDATED_FIELDS = [
    "name", "kind", "address", "postcode", "commune_id", "latitude", "longitude", "website", "phone", "email",
    "hours", "description", "services", "typologie", "source", "updated_on", "imported_from", "updated_at",
]  # fmt: skip


def import_places(data: bytes, origin_label: str) -> Report:
    """Check every line, then store the good ones in one transaction (bulk, a few queries per 1,000)."""
    _header, reader = _rows(data)
    report = Report()
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for index, row in enumerate(reader, start=2):
            rows.append((index, row))
    except csv.Error as exc:
        raise ImportProblem(f"CSV illisible vers la ligne {reader.line_num} : {exc}.") from None
    report.lines = len(rows)
    codes = {str(row.get("code_insee") or "").strip().upper() for _i, row in rows}
    communes = dict(
        Territory.objects.filter(kind=Kind.COMMUNE, code__in=codes - {""}).values_list("code", "pk")
    )
    checked: dict[str, dict[str, Any]] = {}
    for line, row in rows:
        values = _check(line, row, communes, report)
        if values is None:
            continue
        if values["remote_id"] in checked:
            report.add_error(
                line, f"identifiant « {values['remote_id'][:60]} » déjà lu plus haut : ligne ignorée"
            )
            continue
        values["imported_from"] = origin_label[:1000]
        checked[values["remote_id"]] = values
    now = timezone.now()
    with transaction.atomic():
        existing = {p.remote_id: p for p in Place.objects.filter(remote_id__in=list(checked))}
        new, changed = [], []
        for remote_id, values in checked.items():
            place = existing.get(remote_id)
            if place is None:
                new.append(Place(origin=Origin.IMPORT, **values))
            elif place.origin == Origin.MANUAL:
                report.kept += 1
            else:
                for name, value in values.items():
                    setattr(place, name, value)
                # bulk_update skips auto_now: the directory's cached map follows this date.
                place.updated_at = now
                changed.append(place)
        Place.objects.bulk_create(new, batch_size=1000)
        Place.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=1000)
    report.created, report.updated = len(new), len(changed)
    return report
