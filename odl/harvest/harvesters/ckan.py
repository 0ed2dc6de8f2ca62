"""CKAN portals (and DKAN, which speaks the same ``package_search`` API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from odl.core.text import fold
from odl.harvest.harvesters.base import Harvester, register
from odl.harvest.harvesters.cleaning import (
    MAX_DESCRIPTION,
    MAX_RESOURCES,
    MAX_TAGS,
    MAX_TITLE,
    clean_text,
    normalise_license,
    parse_when,
    portal_base,
    safe_url,
)
from odl.harvest.harvesters.client import ServiceClient
from odl.harvest.harvesters.errors import HarvestError
from odl.harvest.harvesters.items import HarvestedItem, Page, PublisherRef


class CkanClient(ServiceClient):
    """The only place that knows CKAN's action API URLs."""

    service_name = "CKAN"

    def package_search(self, *, start: int, rows: int, fq: str = "") -> dict[str, Any]:
        params: dict[str, Any] = {"start": start, "rows": rows, "sort": "id asc"}
        if fq:
            params["fq"] = fq
        data = self.get_json(f"{self.base_url}/api/3/action/package_search", params)
        if not isinstance(data, dict) or not data.get("success") or not isinstance(data.get("result"), dict):
            raise HarvestError("CKAN : réponse inattendue de package_search (pas de « result »)")
        result: dict[str, Any] = data["result"]
        if not isinstance(result.get("results"), list):
            raise HarvestError("CKAN : réponse de package_search sans liste « results »")
        return result

    def dataset_page(self, name: str) -> str:
        return f"{self.base_url}/dataset/{name}"


def publisher_of(package: dict[str, Any]) -> PublisherRef | None:
    org = package.get("organization")
    if isinstance(org, dict) and (org.get("id") or org.get("name")):
        return PublisherRef(
            remote_id=str(org.get("id") or org.get("name")),
            name=clean_text(org.get("title") or org.get("name"), 500),
        )
    for key in ("author", "maintainer"):
        name = clean_text(package.get(key), 500)
        if name:
            return PublisherRef(remote_id=f"{key}:{fold(name)}"[:300], name=name)
    return None


def package_license(package: dict[str, Any]) -> str:
    """The licence from ``license_title`` or ``license_id``, whichever says more (the version)."""
    found = [normalise_license(package.get(key)) for key in ("license_title", "license_id")]
    found = [label for label in found if label]
    versioned = [label for label in found if any(ch.isdigit() for ch in label)]
    return (versioned or found or [""])[0]


@register
class CkanHarvester(Harvester):
    kind = "ckan"
    client: CkanClient
    technology = "CKAN"
    label = "CKAN"
    url_help = "Adresse du portail CKAN, par exemple https://trouver.datasud.fr"

    def __init__(self, url: str, filters: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(url, filters, **kwargs)
        self.client = CkanClient(portal_base(self.url), http=self._http)

    def query(self) -> str:
        parts = []
        organisation = self.filters.get("organisation") or self.filters.get("organization")
        if organisation:
            parts.append(f'organization:"{organisation}"')
        parts.extend(f'tags:"{tag}"' for tag in self.filter_tags())
        return " AND ".join(parts)

    def pages(self) -> Iterator[Page]:
        fq = self.query()

        def fetch(start: int) -> tuple[list[Any], Any]:
            result = self.client.package_search(start=start, rows=self.page_size, fq=fq)
            return result["results"], result.get("count")

        return self.offset_pages(fetch, param="start")

    def item(self, package: dict[str, Any]) -> HarvestedItem | None:
        if not isinstance(package, dict):
            raise ValueError("entrée qui n'est pas un objet JSON")
        if package.get("private") or str(package.get("state") or "active").lower() != "active":
            return None
        remote_id = str(package.get("id") or "")
        if not remote_id:
            raise ValueError("jeu de données sans identifiant")
        tags = [t.get("name") if isinstance(t, dict) else t for t in package.get("tags") or []]
        resources = [r for r in package.get("resources") or [] if isinstance(r, dict)][:MAX_RESOURCES]
        schemas = sorted(
            {str(r["schema"]) for r in resources if isinstance(r.get("schema"), str) and r["schema"].strip()}
        )
        name = str(package.get("name") or remote_id)
        return HarvestedItem(
            remote_id=remote_id,
            title=clean_text(package.get("title") or name, MAX_TITLE),
            # CKAN's ``url`` is the dataset's own page at its producer, when there is one.
            url=safe_url(package.get("url")) or self.client.dataset_page(name),
            description=clean_text(package.get("notes"), MAX_DESCRIPTION),
            publisher=publisher_of(package),
            license=package_license(package),
            created=parse_when(package.get("metadata_created")),
            modified=parse_when(package.get("metadata_modified")),
            tags=[clean_text(t, 100) for t in tags if isinstance(t, str)][:MAX_TAGS],
            resources=[
                {
                    "title": clean_text(r.get("name"), 300),
                    "url": clean_text(r.get("url"), 1000),
                    "format": clean_text(r.get("format"), 40),
                }
                for r in resources
            ],
            declared_schemas=schemas,
            # CKAN ids are UUIDs: data.gouv.fr's harvest block keeps the same remote_id.
            own_key=f"ckan:{remote_id}",
        )
