"""Reuses of the datasets the observatory knows, harvested from data.gouv.fr (udata API v1).

For every active data.gouv.fr harvest source: ``GET /api/1/reuses/?dataset=<id>`` for each of its
current datasets, and ``?organization=<id>`` for each of its publishers matched to a collectivité (what
the collectivité published itself), each paged by ``next_page`` (``data``, ``next_page``, ``total``).
Every call goes through the harvest's HTTP client, hence the internal-address guard
(``odl.core.netguard``); images are downloaded through it too, and checked (``odl/reuses/images.py``).

A reuse is one row per remote id. A pass that read a source to the end archives (dated) the reuses of
that source it no longer saw; a pass that failed half-way archives nothing. A reuse that comes back is
un-archived. A reuse an ATD corrected by hand keeps its corrected fields; the datasets, collectivités
and "last seen" date still follow data.gouv.fr.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from odl.core.netguard import RESOURCES
from odl.harvest.harvesters.cleaning import clean_text, parse_when
from odl.harvest.harvesters.client import ServiceClient
from odl.harvest.harvesters.datagouv import DatagouvClient
from odl.harvest.harvesters.errors import HarvestError
from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
from odl.reuses import images
from odl.reuses.models import HTTP_URL, THEME_LABELS, UDATA_KINDS, Origin, Reuse, ReuseKind, SourcePass

logger = logging.getLogger(__name__)
# A reuse's page of data.gouv.fr lists at most this many per call (udata's maximum is 100).
PAGE_SIZE = 100
# A runaway paging (a server that always answers a next page) stops here, per query.
MAX_PAGES = 200


class ReuseClient(DatagouvClient):
    def reuses(self, *, dataset: str = "", organization: str = "") -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"page_size": PAGE_SIZE}
        if dataset:
            params["dataset"] = dataset
        if organization:
            params["organization"] = organization
        envelope = self.envelope(self.get_json(f"{self.base_url}/api/1/reuses/", params))
        seen_urls: set[str] = set()
        for _page in range(MAX_PAGES):
            for item in envelope["data"]:
                if isinstance(item, dict):
                    yield item
            next_url = envelope.get("next_page")
            if not next_url or not envelope["data"] or next_url in seen_urls:
                return
            seen_urls.add(str(next_url))
            envelope = self.next_page(str(next_url))
        raise HarvestError(f"data.gouv.fr : plus de {MAX_PAGES} pages de réutilisations, lecture arrêtée")


class ImageClient(ServiceClient):
    """Images are outside resources: the resource side of the guard, and the image size limit."""

    service_name = "image de réutilisation"
    guard_setting = RESOURCES

    def __init__(self) -> None:
        super().__init__("https://images.invalid")
        self.max_bytes = images.max_bytes()
        self.retries = min(self.retries, 1)


@dataclass
class Report:
    sources: int = 0
    queries: int = 0
    seen: int = 0
    new: int = 0
    updated: int = 0
    archived: int = 0
    restored: int = 0
    images: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.sources} source(s) data.gouv.fr, {self.queries} requête(s) : {self.seen} réutilisation(s) vue(s), "
            f"{self.new} nouvelle(s), {self.updated} mise(s) à jour, {self.archived} archivée(s), "
            f"{self.restored} revenue(s), {self.images} image(s) téléchargée(s)"
        )
        if self.errors:
            text += f" ; {len(self.errors)} erreur(s)"
        return text


def _kind(value: Any) -> str:
    return str(UDATA_KINDS.get(str(value or ""), ReuseKind.AUTRE))


def _author(item: dict[str, Any]) -> str:
    org = item.get("organization")
    if isinstance(org, dict) and org.get("name"):
        return clean_text(org["name"], 300)
    owner = item.get("owner")
    if isinstance(owner, dict):
        return clean_text(" ".join(str(owner.get(k) or "") for k in ("first_name", "last_name")), 300)
    return ""


def _dataset_ids(item: dict[str, Any]) -> set[str]:
    found = set()
    for ref in item.get("datasets") or []:
        if isinstance(ref, dict) and ref.get("id"):
            found.add(str(ref["id"]))
        elif isinstance(ref, str):
            found.add(ref)
    return found


class Pass:
    """One reading of every data.gouv.fr source; ``run`` returns the report."""

    def __init__(self, sources: list[HarvestSource] | None = None, *, with_images: bool = True) -> None:
        self.sources = (
            sources
            if sources is not None
            else list(HarvestSource.objects.filter(kind="datagouv", active=True))
        )
        self.with_images = with_images
        self.report = Report()
        self.now = timezone.now()

    def run(self) -> Report:
        for source in self.sources:
            if source.kind != "datagouv":
                continue
            self.report.sources += 1
            try:
                self._source(source)
            except HarvestError as exc:
                self.report.errors.append(f"{source.name} : {exc}")
            SourcePass.objects.update_or_create(source=source, defaults={"passed_at": self.now})
        return self.report

    def _source(self, source: HarvestSource) -> None:
        parts = urlsplit(source.url)
        if parts.path.lower().endswith(".csv"):
            base = "https://www.data.gouv.fr"  # a catalogue export: its reuses are on the API
        else:
            base = f"{parts.scheme}://{parts.netloc}"
        client = ReuseClient(base)
        failed = False
        # remote id -> (payload, dataset pks, territory pks)
        found: dict[str, tuple[dict[str, Any], set[int], set[int]]] = {}
        try:
            datasets = (
                HarvestedDataset.objects.current()
                .filter(source=source)
                .values_list("remote_id", "publisher_id", "publisher__territory_id")
            )
            confirmed = set(Publisher.objects.filter(source=source).confirmed().values_list("pk", flat=True))
            for remote_id, publisher_id, territory_id in datasets.iterator(chunk_size=1000):
                territory = territory_id if publisher_id in confirmed else None
                failed |= not self._query(client, found, {"dataset": remote_id}, territory)
            for publisher in Publisher.objects.filter(source=source).confirmed():
                if publisher.remote_id.startswith("user:"):
                    continue
                failed |= not self._query(
                    client, found, {"organization": publisher.remote_id}, publisher.territory_id
                )
        finally:
            client.close()
        known = dict(
            HarvestedDataset.objects.filter(
                source__kind="datagouv", remote_id__in={i for v in found.values() for i in _dataset_ids(v[0])}
            ).values_list("remote_id", "pk")
        )
        for remote_id, (item, dataset_pks, territory_pks) in found.items():
            dataset_pks |= {known[i] for i in _dataset_ids(item) if i in known}
            self._store(remote_id, item, dataset_pks, territory_pks)
        if not failed:
            self._archive_vanished(source, set(found))

    def _query(
        self,
        client: ReuseClient,
        found: dict[str, tuple[dict[str, Any], set[int], set[int]]],
        params: dict[str, str],
        territory: int | None,
    ) -> bool:
        self.report.queries += 1
        try:
            for item in client.reuses(**params):
                remote_id = str(item.get("id") or "")
                if not remote_id or item.get("private") or item.get("deleted"):
                    continue
                _payload, dataset_pks, territory_pks = found.setdefault(remote_id, (item, set(), set()))
                if territory is not None:
                    territory_pks.add(territory)
        except HarvestError as exc:
            what = ", ".join(f"{k}={v}" for k, v in params.items())
            self.report.errors.append(f"{what} : {exc}")
            return False
        return True

    def _store(
        self, remote_id: str, item: dict[str, Any], dataset_pks: set[int], territory_pks: set[int]
    ) -> None:
        self.report.seen += 1
        url = clean_text(item.get("url"), 1000)
        try:
            HTTP_URL(url)
        except Exception:
            # Not a web address (javascript:, empty…): nothing to link to, so nothing is stored.
            self.report.errors.append(
                f"réutilisation {remote_id} : adresse refusée (« {url[:80]} »), ignorée"
            )
            return
        fields = {
            "title": clean_text(item.get("title"), 350) or "(sans titre)",
            "kind": _kind(item.get("type")),
            "url": url,
            "author": _author(item),
            "description": clean_text(item.get("description"), 20_000),
            "theme": str(item.get("topic") or "") if str(item.get("topic") or "") in THEME_LABELS else "",
        }
        with transaction.atomic():
            reuse = Reuse.objects.select_for_update().filter(remote_id=remote_id).first()
            created = reuse is None
            if reuse is None:
                reuse = Reuse(remote_id=remote_id, origin=Origin.DATAGOUV, first_seen=self.now, **fields)
            elif reuse.corrected_at is None:
                for name, value in fields.items():
                    setattr(reuse, name, value)
            if reuse.archived_at is not None and reuse.origin == Origin.DATAGOUV:
                reuse.archived_at = None
                self.report.restored += 1
            reuse.remote_page = clean_text(item.get("page"), 1000)
            reuse.remote_created = parse_when(item.get("created_at"))
            reuse.last_seen = self.now
            reuse.save()
            reuse.datasets.add(*dataset_pks)
            reuse.territories.add(*territory_pks)
        if created:
            self.report.new += 1
        else:
            self.report.updated += 1
        image_url = clean_text(item.get("image"), 1000)
        if self.with_images and image_url and image_url != reuse.image_source and reuse.corrected_at is None:
            self._fetch_image(reuse, image_url)

    def _fetch_image(self, reuse: Reuse, image_url: str) -> None:
        try:
            HTTP_URL(image_url)
        except Exception:
            return
        client = ImageClient()
        try:
            data = client.get(image_url, accept="image/*").content
            checked = images.check(data)
        except (HarvestError, images.ImageProblem) as exc:
            self.report.errors.append(f"image de « {reuse.title} » : {exc}")
            return
        finally:
            client.close()
        if reuse.image:
            reuse.image.delete(save=False)
        reuse.image.save(f"{reuse.pk}.{checked.extension}", ContentFile(data), save=False)
        reuse.image_type = checked.content_type
        reuse.image_source = image_url
        reuse.save(update_fields=["image", "image_type", "image_source"])
        self.report.images += 1

    def _archive_vanished(self, source: HarvestSource, seen: set[str]) -> None:
        """Harvested reuses linked to this source's datasets and not seen this time: archived, dated."""
        vanished = (
            Reuse.objects.filter(origin=Origin.DATAGOUV, archived_at__isnull=True, datasets__source=source)
            .exclude(remote_id__in=seen)
            .values_list("pk", flat=True)
            .distinct()
        )
        self.report.archived += Reuse.objects.filter(pk__in=list(vanished)).update(archived_at=self.now)


def harvest_reuses(sources: list[HarvestSource] | None = None, *, with_images: bool = True) -> Report:
    return Pass(sources, with_images=with_images).run()


def harvested_since_last_pass() -> list[HarvestSource]:
    """The active data.gouv.fr sources with a run finished after their last reading of reuses."""
    passed = dict(SourcePass.objects.values_list("source_id", "passed_at"))
    sources = HarvestSource.objects.filter(kind="datagouv", active=True).annotate(
        last_run=Max("runs__finished_at")
    )
    return [s for s in sources if s.last_run and (s.pk not in passed or s.last_run > passed[s.pk])]  # type: ignore[attr-defined]


def after_harvest(**_signal: Any) -> None:
    """The harvest's signal: reuses follow the sources' own schedule (each data.gouv.fr source harvested
    since its last reading is read again). A failure never fails the harvest."""
    from django.conf import settings

    if not settings.ODL_REUSES_AFTER_HARVEST:
        return
    try:
        due = harvested_since_last_pass()
        if not due:
            return
        report = harvest_reuses(due)
        logger.info("reuses after harvest: %s", report.summary())
    except Exception:
        logger.exception("harvesting reuses after the harvest failed")
