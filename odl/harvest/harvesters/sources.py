"""Declaring a source (from the CLI or the web) and the publisher ↔ collectivité mapping as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from odl.core.dbvalues import db_int
from odl.core.identifiers import clean_number
from odl.core.netguard import SOURCES, InternalAddressRefused, refuse_internal_literal
from odl.harvest.harvesters.base import harvester_for, kinds
from odl.harvest.harvesters.cleaning import validate_http_url
from odl.harvest.harvesters.errors import SourceUrlError
from odl.harvest.models import (
    Decision,
    DecisionError,
    HarvestSource,
    MatchStatus,
    Publisher,
    TerritoryRequired,
)
from odl.territories.models import Area, Territory

SCHEDULES = {
    "daily": "chaque jour",
    "weekly": "chaque semaine",
    "monthly": "chaque mois",
    "manual": "à la demande",
}


def parse_filters(
    organisation: str = "", publisher: str = "", tags: str = "", **extra: str
) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if organisation.strip():
        filters["organisation"] = organisation.strip()
    if publisher.strip():
        filters["publisher"] = publisher.strip()
    tag_list = [t.strip() for t in tags.split(",") if t.strip()]
    if tag_list:
        filters["tags"] = tag_list
    filters.update({k: v.strip() for k, v in extra.items() if v and v.strip()})
    return filters


def check_source(kind: str, url: str, filters: dict[str, Any]) -> str:
    """The URL to store, or a French SourceUrlError saying what is wrong with the declaration."""
    if kind not in kinds():
        raise SourceUrlError(f"type de source inconnu : « {kind} » (types : {', '.join(kinds())})")
    url = validate_http_url(url)
    try:
        # The address is checked again, resolved, at every connection (redirects included).
        refuse_internal_literal(url, SOURCES)
    except InternalAddressRefused as exc:
        raise SourceUrlError(str(exc)) from exc
    # Building the harvester runs the kind's own URL checks; nothing is fetched.
    harvester_for(kind, url, filters).close()
    return url


def find_territory(reference: str) -> Territory:
    """A territory from « departement:35 », « region:53 », « commune:35238 » or a SIREN."""
    reference = reference.strip()
    if ":" in reference:
        kind, code = reference.split(":", 1)
        found = Territory.objects.filter(kind=kind.strip(), code=code.strip().upper()).first()
    else:
        digits = clean_number(reference)
        found = Territory.objects.filter(siren=digits).first() if digits.isdigit() else None
        if found is None and not digits.isdigit():
            # The name, as « harvest_sources list » shows an owner.
            named = list(Territory.objects.filter(nom__iexact=reference).exclude(kind="commune")[:3])
            if len(named) > 1:
                raise SourceUrlError(
                    f"plusieurs territoires s'appellent « {reference} » : précisez-le (ex. departement:35)"
                )
            found = named[0] if named else None
    if found is None:
        raise SourceUrlError(
            f"territoire « {reference} » introuvable dans le référentiel (ex. departement:35, region:53 ou un SIREN)"
        )
    return found


# ---------------------------------------------------------------- mapping table (CSV)

MAPPING_COLUMNS = [
    "source_id",
    "source",
    "editeur_id",
    "editeur",
    "siret_declare",
    "statut",
    "methode",
    "collectivite_type",
    "collectivite_code",
    "collectivite_siren",
    "collectivite_nom",
    "pour_le_compte_de_type",
    "pour_le_compte_de_code",
    "note",
]


REQUIRED_MAPPING_COLUMNS = ("source_id", "editeur_id", "statut", "collectivite_type", "collectivite_code")
# The decision a mapping row's status stands for: "auto" becomes a decision too, so no harvest redoes it.
ROW_DECISIONS = {
    MatchStatus.AUTO: Decision.REASSIGN,
    MatchStatus.ACCEPTED: Decision.REASSIGN,
    MatchStatus.REJECTED: Decision.REJECT,
    MatchStatus.NOT_COLLECTIVITE: Decision.NOT_COLLECTIVITE,
    MatchStatus.TO_REVIEW: Decision.TO_REVIEW,
    MatchStatus.UNMATCHED: Decision.UNMATCHED,
}


def mapping_rows(publishers: Any) -> list[list[Any]]:
    rows = []
    for p in publishers.select_related("source", "territory", "on_behalf_of").order_by("source_id", "name"):
        rows.append(
            [
                p.source_id,
                p.source.name,
                p.remote_id,
                p.name,
                p.business_number,
                p.match_status,
                p.match_method,
                p.territory.kind if p.territory else "",
                p.territory.code if p.territory else "",
                p.territory.siren if p.territory else "",
                p.territory.nom if p.territory else "",
                p.on_behalf_of.kind if p.on_behalf_of else "",
                p.on_behalf_of.code if p.on_behalf_of else "",
                p.match_note,
            ]
        )
    return rows


@dataclass
class ImportReport:
    changed: int = 0
    unchanged: int = 0
    errors: list[str] | None = None


def _territory(kind: str, code: str) -> Territory | None:
    if not kind and not code:
        return None
    found = Territory.objects.filter(kind=kind.strip(), code=code.strip().upper()).first()
    if found is None:
        raise ValueError(f"collectivité {kind} {code} absente du référentiel")
    return found


def import_mapping(
    rows: list[dict[str, str]],
    line_numbers: list[int],
    user: Any = None,
    dry_run: bool = False,
    publishers: Any = None,
    perimeter: Area | None = None,
) -> ImportReport:
    """Apply a mapping table: every row is a person's decision, which later harvests keep.

    From the web, ``publishers`` is what the user may see and ``perimeter`` the ATD's area: rows
    outside them are refused line by line.
    """
    publishers = Publisher.objects.all() if publishers is None else publishers
    report = ImportReport(errors=[])
    assert report.errors is not None
    allowed = set(MatchStatus.values)
    with transaction.atomic():
        for row, line in zip(rows, line_numbers, strict=False):
            try:
                source_id = db_int(row.get("source_id") or "0")  # SQLite overflows past 64 bits
                publisher = publishers.get(source_id=source_id, remote_id=row.get("editeur_id", ""))
            except (ValueError, Publisher.DoesNotExist):
                report.errors.append(
                    f"ligne {line} : éditeur « {row.get('editeur_id', '')} » de la source {row.get('source_id', '')} inconnu"
                )
                continue
            status = (row.get("statut") or "").strip()
            if status not in allowed:
                report.errors.append(
                    f"ligne {line} : statut « {status} » inconnu ({', '.join(sorted(allowed))})"
                )
                continue
            try:
                territory = _territory(row.get("collectivite_type", ""), row.get("collectivite_code", ""))
                behalf = _territory(
                    row.get("pour_le_compte_de_type", ""), row.get("pour_le_compte_de_code", "")
                )
            except ValueError as exc:
                report.errors.append(f"ligne {line} : {exc}")
                continue
            decision = ROW_DECISIONS[MatchStatus(status)]
            choice = {"territory": territory, "on_behalf_of": behalf, "perimeter": perimeter}
            try:
                if status == MatchStatus.AUTO and (territory, behalf) == (
                    publisher.territory,
                    publisher.on_behalf_of,
                ):
                    # The matcher's finding, unedited: not a decision, but still refused where one would be.
                    publisher.decision_outcome(decision, **choice)
                    changed = False
                else:
                    changed = publisher.decide(
                        decision, by=user, method="import", record_unchanged=False, **choice
                    )
            except TerritoryRequired:
                report.errors.append(f"ligne {line} : le statut « {status} » demande une collectivité")
                continue
            except DecisionError as exc:
                report.errors.append(f"ligne {line} : {exc}")
                continue
            if changed:
                report.changed += 1
            else:
                report.unchanged += 1
        if dry_run:
            transaction.set_rollback(True)
    return report


def sources_for(references: list[str]) -> list[HarvestSource]:
    """Sources named on the command line by id or by exact name."""
    found = []
    for reference in references:
        query = (
            HarvestSource.objects.filter(pk=int(reference))
            if reference.isdigit()
            else HarvestSource.objects.filter(name=reference)
        )
        source = query.first()
        if source is None:
            raise SourceUrlError(f"source « {reference} » inconnue (voir « odl harvest_sources list »)")
        found.append(source)
    return found
