"""Opendatasoft portals through the Explore API v2.1 catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from odl.core.text import fold
from odl.harvest.harvesters.base import Harvester, register
from odl.harvest.harvesters.cleaning import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    clean_text,
    host_of,
    identity_key,
    normalise_license,
    parse_when,
    portal_base,
    split_keywords,
)
from odl.harvest.harvesters.client import ServiceClient
from odl.harvest.harvesters.errors import HarvestError
from odl.harvest.harvesters.items import HarvestedItem, Page, PublisherRef

# The Explore API refuses offset + limit beyond this window.
EXPLORE_WINDOW = 10_000


class OpendatasoftClient(ServiceClient):
    """The only place that knows the Explore v2.1 URLs."""

    service_name = "Opendatasoft"

    def datasets(
        self, *, offset: int, limit: int, where: str = "", refine: list[str] | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"offset": offset, "limit": limit, "order_by": "dataset_id"}
        if where:
            params["where"] = where
        if refine:
            params["refine"] = refine
        data = self.get_json(f"{self.base_url}/api/explore/v2.1/catalog/datasets", params)
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise HarvestError("Opendatasoft : réponse inattendue du catalogue (pas de liste « results »)")
        return data

    def dataset_page(self, dataset_id: str) -> str:
        return f"{self.base_url}/explore/dataset/{dataset_id}/"


@register
class OpendatasoftHarvester(Harvester):
    kind = "opendatasoft"
    client: OpendatasoftClient
    technology = "Opendatasoft"
    label = "Opendatasoft"
    record_id_key = "dataset_id"
    url_help = "Adresse du portail Opendatasoft, par exemple https://data.rennesmetropole.fr"

    def __init__(self, url: str, filters: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(url, filters, **kwargs)
        self.client = OpendatasoftClient(portal_base(self.url), http=self._http)
        self.host = host_of(self.client.base_url)

    def refine(self) -> list[str]:
        refine = [f"keyword:{tag}" for tag in self.filter_tags()]
        publisher = self.filters.get("publisher") or self.filters.get("editeur")
        if publisher:
            refine.append(f"publisher:{publisher}")
        return refine

    def pages(self) -> Iterator[Page]:
        limit = min(self.page_size, 100)
        refine = self.refine()

        def fetch(offset: int) -> tuple[list[Any], Any]:
            data = self.client.datasets(offset=offset, limit=limit, refine=refine)
            return data["results"], data.get("total_count")

        def within_window(offset: int) -> None:
            # The Explore API refuses offset + limit beyond its window: say so rather than fail later.
            if offset + limit > EXPLORE_WINDOW:
                raise HarvestError(
                    f"Opendatasoft : plus de {EXPLORE_WINDOW} jeux de données, ajoutez un filtre (éditeur, mot-clé)"
                )

        return self.offset_pages(fetch, before_next=within_window)

    def item(self, result: dict[str, Any]) -> HarvestedItem:
        if not isinstance(result, dict):
            raise ValueError("entrée qui n'est pas un objet JSON")
        dataset_id = str(result.get("dataset_id") or result.get("datasetid") or "")
        if not dataset_id:
            raise ValueError("jeu de données sans identifiant")
        metas = result.get("metas") or {}
        default = metas.get("default", metas) if isinstance(metas, dict) else {}
        publisher_name = clean_text(default.get("publisher"), 500)
        publisher = (
            PublisherRef(remote_id=f"publisher:{fold(publisher_name)}"[:300], name=publisher_name)
            if publisher_name
            else None
        )
        found = metas.get("dcat") if isinstance(metas, dict) else None
        dcat: dict[str, Any] = found if isinstance(found, dict) else {}
        modified = parse_when(default.get("modified"))
        # The creation date is the DCAT template's (``created``, else ``issued``): ``data_processed`` is
        # when the data was last processed, often after the last metadata change.
        created = parse_when(dcat.get("created")) or parse_when(dcat.get("issued"))
        if created is not None and modified is not None and created > modified:
            created = None
        return HarvestedItem(
            remote_id=dataset_id,
            title=clean_text(default.get("title") or dataset_id, MAX_TITLE),
            url=self.client.dataset_page(dataset_id),
            description=clean_text(default.get("description"), MAX_DESCRIPTION),
            publisher=publisher,
            license=normalise_license(default.get("license")),
            created=created,
            modified=modified,
            tags=split_keywords(default.get("keyword")),
            resources=[{"title": "Export", "url": self.client.dataset_page(dataset_id), "format": "API"}],
            own_key=identity_key("ods", self.host, dataset_id),
        )
