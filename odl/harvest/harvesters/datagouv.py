"""data.gouv.fr (udata API v1): datasets of the whole catalogue or of some organisations.

Two modes, chosen by the URL: the API (``https://www.data.gouv.fr``, paged ``/api/1/datasets/``) or the
bulk catalogue export (a ``export-dataset-*.csv`` URL, with the organisations export given in the
``organisations_csv`` filter) for a full national pass without tens of thousands of API calls.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from odl.harvest.harvesters.base import ANNOUNCED_TOLERANCE, Harvester, register
from odl.harvest.harvesters.cleaning import (
    MAX_DESCRIPTION,
    MAX_RESOURCES,
    MAX_TAGS,
    MAX_TITLE,
    clean_text,
    identity_key,
    normalise_license,
    page_key,
    parse_when,
    uri_key,
)
from odl.harvest.harvesters.client import ServiceClient
from odl.harvest.harvesters.errors import HarvestError
from odl.harvest.harvesters.items import HarvestedItem, Page, PublisherRef

SIRETISATION_PREFIX = "siretisation:"


class DatagouvClient(ServiceClient):
    """The only place that knows data.gouv.fr's URLs."""

    service_name = "data.gouv.fr"

    def datasets_url(self) -> str:
        return f"{self.base_url}/api/1/datasets/"

    def datasets(
        self, *, organization: str = "", tag: str = "", page: int = 1, page_size: int = 100
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if organization:
            params["organization"] = organization
        if tag:
            params["tag"] = tag
        return self.envelope(self.get_json(self.datasets_url(), params))

    def next_page(self, url: str) -> dict[str, Any]:
        if urlsplit(url).hostname != urlsplit(self.base_url).hostname:
            raise HarvestError(f"data.gouv.fr : la page suivante pointe hors du site ({url})")
        return self.envelope(self.get_json(url))

    def organization(self, org_id: str) -> dict[str, Any]:
        data = self.get_json(f"{self.base_url}/api/1/organizations/{org_id}/")
        if not isinstance(data, dict):
            raise HarvestError(f"data.gouv.fr : fiche d'organisation illisible pour {org_id}")
        return data

    def csv_rows(self, url: str) -> Iterator[dict[str, str]]:
        response = self.get(url, accept="text/csv")
        try:
            text = response.content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise HarvestError(f"data.gouv.fr : l'export {url} n'est pas en UTF-8") from exc
        # The exports are written by Python's csv module: every record ends with a line break. A file
        # that does not was cut short, and its last record (perhaps cut inside a quoted title) must not
        # overwrite a stored dataset.
        if text and not text.endswith(("\n", "\r")):
            raise HarvestError(
                f"data.gouv.fr : l'export {url} est tronqué (sa dernière ligne n'est pas terminée) ; "
                "rien n'a été modifié, relancez quand l'export sera complet"
            )
        reader = csv.DictReader(io.StringIO(text), delimiter=";", quotechar='"', strict=True)
        try:
            if not reader.fieldnames or "id" not in reader.fieldnames:
                raise HarvestError(f"data.gouv.fr : l'export {url} n'a pas la colonne « id » attendue")
            for row in reader:
                # DictReader fills the missing columns of a short record with None (and puts extra ones
                # under the None key): either way the record is not whole.
                if None in row or None in row.values():
                    raise HarvestError(
                        f"data.gouv.fr : l'export {url} a un enregistrement incomplet à la ligne "
                        f"{reader.line_num} ({len(reader.fieldnames)} colonnes attendues) ; rien n'a été modifié"
                    )
                yield row
        except csv.Error as exc:
            raise HarvestError(
                f"data.gouv.fr : l'export {url} est illisible à la ligne {reader.line_num} ({exc}) ; "
                "rien n'a été modifié"
            ) from exc

    @staticmethod
    def envelope(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise HarvestError("data.gouv.fr : réponse inattendue (pas de liste « data » paginée)")
        return data


def declared_schemas(dataset: dict[str, Any], resources: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for holder in [dataset, *resources]:
        schema = holder.get("schema") if isinstance(holder, dict) else None
        if isinstance(schema, dict) and isinstance(schema.get("name"), str) and schema["name"]:
            names.append(schema["name"])
        elif (
            isinstance(holder, dict) and isinstance(holder.get("schema_name"), str) and holder["schema_name"]
        ):
            names.append(holder["schema_name"])
    return sorted(set(names))


def origin_key(harvest: Any) -> str:
    """The key of the original dataset when data.gouv.fr harvested it from another portal."""
    if not isinstance(harvest, dict):
        return ""
    backend = str(harvest.get("backend") or "").lower()
    remote_id = str(harvest.get("remote_id") or "")
    domain = str(harvest.get("domain") or "")
    if "ckan" in backend and remote_id:
        return f"ckan:{remote_id}"
    if ("opendatasoft" in backend or backend == "ods") and remote_id and domain:
        return identity_key("ods", domain, remote_id)
    # The remote id first: udata's DCAT backend keeps there the dct:identifier, else the dataset URI,
    # which is what the DCAT harvester keys the original with.
    for name in ("remote_id", "dct_identifier", "uri"):
        value = str(harvest.get(name) or "")
        if value.startswith(("http://", "https://")):
            return uri_key(value)
    if remote_id and domain:
        return identity_key(backend or "remote", domain, remote_id)
    # No identifier (older CSV exports): the original's page, matched with its landing page.
    return page_key(str(harvest.get("remote_url") or ""))


def publisher_from_organization(org: dict[str, Any]) -> PublisherRef:
    extras = org.get("extras") if isinstance(org.get("extras"), dict) else {}
    kept = {k: str(v) for k, v in (extras or {}).items() if k.startswith(SIRETISATION_PREFIX)}
    return PublisherRef(
        remote_id=str(org.get("id") or org.get("slug") or ""),
        name=clean_text(org.get("name"), 500),
        business_number=clean_text(org.get("business_number_id"), 20),
        extras=kept,
    )


def item_from_dataset(
    dataset: dict[str, Any], publisher: PublisherRef | None, resources: list[dict[str, Any]] | None = None
) -> HarvestedItem:
    raw_resources = resources if resources is not None else dataset.get("resources") or []
    raw_resources = [r for r in raw_resources if isinstance(r, dict)][:MAX_RESOURCES]
    tags = dataset.get("tags") or []
    remote_id = str(dataset.get("id") or "")
    if not remote_id:
        raise ValueError("jeu de données sans identifiant")
    return HarvestedItem(
        remote_id=remote_id,
        title=clean_text(dataset.get("title"), MAX_TITLE) or "(sans titre)",
        url=clean_text(dataset.get("page") or dataset.get("url"), 1000),
        description=clean_text(dataset.get("description"), MAX_DESCRIPTION),
        publisher=publisher,
        license=normalise_license(dataset.get("license")),
        created=parse_when(dataset.get("created_at") or dataset.get("created_at_internal")),
        modified=parse_when(
            dataset.get("last_update")
            or dataset.get("last_modified")
            or dataset.get("last_modified_internal")
        ),
        tags=[clean_text(t, 100) for t in tags if isinstance(t, str)][:MAX_TAGS],
        resources=[
            {
                "title": clean_text(r.get("title"), 300),
                "url": clean_text(r.get("url") or r.get("latest"), 1000),
                "format": clean_text(r.get("format"), 40),
                "schema": (r.get("schema") or {}).get("name") if isinstance(r.get("schema"), dict) else None,
            }
            for r in raw_resources
        ],
        declared_schemas=declared_schemas(dataset, raw_resources),
        origin_key=origin_key(dataset.get("harvest")),
        own_key=identity_key("datagouv", "data.gouv.fr", remote_id),
    )


@register
class DatagouvHarvester(Harvester):
    kind = "datagouv"
    client: DatagouvClient
    technology = "data.gouv.fr"
    label = "data.gouv.fr"
    aggregator = True
    url_help = (
        "https://www.data.gouv.fr (API, filtrable par organisation et mot-clé) ou l'URL d'un export "
        "« export-dataset-….csv » du catalogue pour un passage national."
    )

    def __init__(self, url: str, filters: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(url, filters, **kwargs)
        parts = urlsplit(self.url)
        self.is_export = parts.path.lower().endswith(".csv")
        base = self.url if self.is_export else f"{parts.scheme}://{parts.netloc}"
        self.client = DatagouvClient(base, http=self._http)
        self._organizations: dict[str, PublisherRef] = {}
        self._lookup_failures: list[dict[str, str]] = []

    def organizations(self) -> list[str]:
        value = self.filters.get("organisation") or self.filters.get("organization") or []
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in value] or [""]

    def pages(self) -> Iterator[Page]:
        if self.is_export:
            yield from self._export_pages()
            return
        tags = self.filter_tags() or [""]
        seen_urls: set[str] = set()
        count = 0
        for organization in self.organizations():
            for tag in tags:
                envelope = self.client.datasets(organization=organization, tag=tag, page_size=self.page_size)
                total = envelope.get("total")
                self.announce(total)
                read = 0
                while True:
                    count += 1
                    page = self.page_of(envelope["data"], total)
                    read += page.records
                    next_url = envelope.get("next_page")
                    if not envelope["data"] and (next_url or (isinstance(total, int) and read < total)):
                        self.fall_short(
                            f"data.gouv.fr : page vide après {read} jeux alors que la source en annonce "
                            f"{total if isinstance(total, int) else 'davantage'}"
                        )
                    page = self._with_lookup_failures(page)
                    yield page
                    if not next_url or not envelope["data"]:
                        break
                    self.guard_pages(count, seen_urls, str(next_url))
                    envelope = self.client.next_page(str(next_url))

    def _with_lookup_failures(self, page: Page) -> Page:
        """The page with the organisation lookups that failed while reading it, one failure each."""
        page.failures.extend(self._lookup_failures)
        self._lookup_failures = []
        return page

    def _publisher(self, dataset: dict[str, Any]) -> PublisherRef | None:
        org = dataset.get("organization")
        if isinstance(org, dict) and org.get("id"):
            org_id = str(org["id"])
            if org_id not in self._organizations:
                # The dataset list embeds a short organisation without its SIRET: fetch it once.
                try:
                    full = org if "business_number_id" in org else self.client.organization(org_id)
                except HarvestError as exc:
                    # One organisation's page (a 404, a 500 after retries) fails that lookup alone: the
                    # organisation embedded in the dataset stands in for it, and the error is recorded.
                    self._lookup_failures.append(
                        {
                            "remote_id": str(dataset.get("id") or ""),
                            "error": f"fiche de l'organisation {org_id} illisible, "
                            f"organisation du jeu utilisée à la place : {exc}",
                        }
                    )
                    full = org
                self._organizations[org_id] = publisher_from_organization(full)
            return self._organizations[org_id]
        owner = dataset.get("owner")
        if isinstance(owner, dict) and owner.get("id"):
            name = " ".join(str(owner.get(k) or "") for k in ("first_name", "last_name")).strip()
            return PublisherRef(remote_id=f"user:{owner['id']}", name=clean_text(name or owner["id"], 500))
        return None

    def item(self, dataset: dict[str, Any]) -> HarvestedItem | None:
        if not isinstance(dataset, dict):
            raise ValueError("entrée qui n'est pas un objet JSON")
        if dataset.get("private") or dataset.get("deleted"):
            return None
        return item_from_dataset(dataset, self._publisher(dataset))

    def _export_pages(self) -> Iterator[Page]:
        org_url = self.filters.get("organisations_csv") or self.filters.get("organizations_csv")
        organizations: dict[str, PublisherRef] = {}
        # The organisations export announces each one's number of datasets (metric.datasets).
        announced: dict[str, int] = {}
        if org_url:
            for row in self.client.csv_rows(str(org_url)):
                organizations[row["id"]] = PublisherRef(
                    remote_id=row["id"],
                    name=clean_text(row.get("name"), 500),
                    business_number=clean_text(row.get("business_number_id"), 20),
                )
                metric = str(row.get("metric.datasets") or "").strip().removesuffix(".0")
                if metric.isdigit():
                    announced[row["id"]] = int(metric)
        wanted = {o for o in self.organizations() if o}
        tags = set(self.filter_tags())
        page = Page(items=[])
        published: dict[str, int] = {}
        for row in self.client.csv_rows(self.url):
            page.records += 1
            org_id = row.get("organization_id") or ""
            if wanted and org_id not in wanted:
                continue
            if (row.get("archived") or "").strip().lower() not in ("", "false", "none"):
                continue
            published[org_id] = published.get(org_id, 0) + 1
            row_tags = [t.strip() for t in (row.get("tags") or "").split(",") if t.strip()]
            if tags and not tags.intersection(row_tags):
                continue
            publisher = organizations.get(org_id)
            if publisher is None and org_id:
                publisher = PublisherRef(remote_id=org_id, name=clean_text(row.get("organization"), 500))
            harvest = {
                k.removeprefix("harvest."): v for k, v in row.items() if k.startswith("harvest.") and v
            }
            dataset = {
                "id": row.get("id"),
                "title": row.get("title"),
                "url": row.get("url"),
                "description": row.get("description"),
                "license": row.get("license"),
                "created_at": row.get("created_at"),
                "last_modified": row.get("last_modified"),
                "tags": row_tags,
                "harvest": harvest,
            }
            try:
                page.items.append(item_from_dataset(dataset, publisher, resources=[]))
            except ValueError as exc:
                page.failures.append({"remote_id": str(row.get("id") or ""), "error": str(exc)})
            if len(page.items) >= 10_000:
                yield page
                page = Page(items=[])
        self._compare_with_metrics(wanted, announced, published)
        yield page

    def _compare_with_metrics(
        self, wanted: set[str], announced: dict[str, int], published: dict[str, int]
    ) -> None:
        """For a source limited to some organisations, fewer rows than their announced counts means
        an export cut short (or stale): nothing will be archived. A national pass relies on the drop
        check against the previous run instead (the metrics lag behind the export)."""
        expected = sum(announced[o] for o in wanted if o in announced)
        found = sum(published.get(o, 0) for o in wanted if o in announced)
        if wanted and expected and found < expected * (1 - ANNOUNCED_TOLERANCE):
            self.fall_short(
                f"data.gouv.fr : l'export ne compte que {found} jeux pour ces organisations, "
                f"qui en annoncent {expected} (metric.datasets de l'export des organisations)"
            )
