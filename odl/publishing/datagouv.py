"""The data space's door to data.gouv.fr: the latest published version of a dataset, pushed through
``odl.datagouv`` (which never imports this app) to the collectivité's organisation there.

One dataset here is one dataset there: its ``local_id`` (``donnees-<pk>``) never changes, so every
later push updates the same remote dataset and replaces its resource when the file changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from odl.datagouv import push as service
from odl.datagouv.models import DatagouvLink, Push
from odl.publishing import services
from odl.publishing.models import Dataset


def local_id(dataset: Dataset) -> str:
    return f"donnees-{dataset.pk}"


def item(dataset: Dataset) -> service.PushItem | None:
    """What to push: the latest version as CSV with its schema, licence and frequency; None before any."""
    published = services.latest_csv(dataset)
    if published is None:
        return None
    return service.PushItem(
        local_id=local_id(dataset),
        title=published.title,
        description=published.description
        or f"{published.title} — publié avec OpenDataLocale, conforme au schéma {published.schema_name}.",
        filename=f"{published.filename}.csv",
        content=published.data,
        fmt="csv",
        license=published.licence,
        frequency=published.frequency or "unknown",
        schema_name=published.schema_name,
        schema_version=published.schema_version,
        tags=["scdl", dataset.schema_name],
        resource_title=f"{published.title} (version {published.version})",
    )


@dataclass(frozen=True)
class State:
    """What the dataset page says about data.gouv.fr: the link, and the last push of this dataset."""

    link: DatagouvLink | None
    last: Push | None

    @property
    def ready(self) -> bool:
        return self.link is not None and bool(self.link.ready)


def state(dataset: Dataset) -> State:
    territory = dataset.etd.territory
    link = DatagouvLink.objects.filter(territory=territory).first()
    last = None
    if link is not None:
        last = link.pushes.filter(local_id=local_id(dataset)).order_by("-created_at", "-pk").first()
    return State(link, last)


# The push app's refusal (no organisation or no key yet), for the views that catch it.
NotReady = service.NotReady


class NotPublished(Exception):
    """Nothing to push yet; the message is French."""


def push(dataset: Dataset, *, dry_run: bool, user: Any, on_behalf_of_atd: str) -> Push:
    """Push (or simulate) the latest version; raises ``NotPublished`` or ``service.NotReady`` in French."""
    what = item(dataset)
    if what is None:
        raise NotPublished("Publiez d'abord une version de ce jeu de données ici : rien n'est à envoyer.")
    link = DatagouvLink.objects.filter(territory=dataset.etd.territory).first()
    if link is None:
        raise NotReady("Liez d'abord la collectivité à son organisation data.gouv.fr.")
    return service.push(link, what, dry_run, user=user, on_behalf_of_atd=on_behalf_of_atd)
