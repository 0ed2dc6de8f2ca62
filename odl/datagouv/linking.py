"""Linking a collectivité to its data.gouv.fr organisation, found by SIREN, and checking its key.

data.gouv.fr stores an organisation's SIRET in ``business_number_id``; its search (``?q=``) is a text
search, which may not index that number, so the candidates it returns are kept only when that SIRET
starts with the collectivité's SIREN. When none does, the search by name is offered instead, the ones
whose SIRET matches first and marked verified, the others marked as not verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from odl.datagouv.client import DatagouvClient, DatagouvError
from odl.datagouv.models import DatagouvLink
from odl.datagouv.push import requeue_after_new_key


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    slug: str
    business_number_id: str
    page: str
    verified: bool


def digits(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _candidate(org: dict[str, Any], siren: str) -> Candidate:
    number = digits(org.get("business_number_id"))
    return Candidate(
        id=str(org.get("id") or ""),
        name=str(org.get("name") or ""),
        slug=str(org.get("slug") or ""),
        business_number_id=number,
        page=str(org.get("page") or ""),
        verified=bool(siren and number[:9] == siren),
    )


def find_organizations(link: DatagouvLink) -> list[Candidate]:
    """Organisations whose SIRET is the collectivité's; else those found by its name (unverified)."""
    siren = digits(link.territory.siren)
    with DatagouvClient(link, api_key="") as client:
        found = [_candidate(o, siren) for o in client.search_organizations(siren)] if siren else []
        verified = [c for c in found if c.verified]
        if verified:
            return verified
        by_name = client.search_organizations(link.territory.nom)
    candidates = [_candidate(o, siren) for o in by_name if o.get("id")]
    # The one whose declared SIRET matches comes first (a search by name finds neighbours too).
    return sorted(candidates, key=lambda c: not c.verified)


def choose_organization(link: DatagouvLink, org_id: str) -> Candidate:
    """Read the organisation from data.gouv.fr (a DatagouvError when it does not exist) and keep it."""
    org_id = org_id.strip().strip("/").rsplit("/", 1)[-1]
    if not org_id:
        raise DatagouvError("Indiquez l'identifiant ou l'adresse de l'organisation.", kind="invalid")
    with DatagouvClient(link, api_key="") as client:
        org = client.organization(org_id)
    candidate = _candidate(org, digits(link.territory.siren))
    link.organization_id = candidate.id
    link.organization_name = candidate.name
    link.organization_slug = candidate.slug
    link.business_number_id = candidate.business_number_id
    link.save()
    return candidate


def save_key(link: DatagouvLink, key: str, user: Any) -> int:
    """Store a new key; pushes refused for the old one are queued again. Returns how many."""
    link.set_api_key(key, user)
    link.save()
    return requeue_after_new_key(link) if link.api_key else 0


def check_key(link: DatagouvLink) -> str:
    """A French verdict on the stored key (GET /me/): whose it is and whether it may edit the organisation."""
    with DatagouvClient(link) as client:
        try:
            me = client.me()
        except DatagouvError as error:
            if error.kind == "key":
                DatagouvLink.objects.filter(pk=link.pk).update(key_status="refused")
            raise
    DatagouvLink.objects.filter(pk=link.pk).update(key_status="ok")
    who = " ".join(str(me.get(k) or "") for k in ("first_name", "last_name")).strip() or "un compte"
    orgs = {str(o.get("id")) for o in me.get("organizations") or [] if isinstance(o, dict)}
    if link.organization_id and link.organization_id not in orgs:
        return (
            f"La clé est valide (compte de {who}), mais ce compte n'est pas membre de l'organisation "
            f"« {link.organization_name} » : data.gouv.fr refusera les envois."
        )
    return f"La clé est valide : compte de {who}, membre de l'organisation « {link.organization_name} »."
