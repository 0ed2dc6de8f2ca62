"""What the conventions and commitments tests share: an ETD of Alice's ATD and its datasets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from odl.atds.models import Atd
from odl.harvest.models import HarvestedDataset, HarvestSource, MatchStatus, Publisher
from odl.programme.models import Commitment, CommitmentKind, Etd, EtdStep
from odl.territories.models import Territory


def rennes_etd(step: str = EtdStep.CONTACTEE) -> Etd:
    """Rennes, followed by the ATD of Ille-et-Vilaine (the ``atd_agent`` persona's)."""
    atd = Atd.objects.get(name="ATD Ille-et-Vilaine")
    rennes = Territory.objects.get(kind="commune", code="35238")
    return Etd.objects.create(atd=atd, territory=rennes, step=step)


def publish(etd: Etd, schema: str = "scdl/subventions", due: dt.date | None = None) -> Commitment:
    return Commitment.objects.create(
        etd=etd, kind=CommitmentKind.PUBLISH, schema_id=schema, due_date=due or dt.date(2099, 1, 1)
    )


def dataset(
    territory: Territory,
    *,
    schemas: list[str] | None = None,
    validation: list[dict[str, Any]] | None = None,
    status: str = MatchStatus.AUTO,
    remote_id: str = "ds",
) -> HarvestedDataset:
    source, _ = HarvestSource.objects.get_or_create(
        name="data.gouv.fr", kind="datagouv", url="http://127.0.0.1:1"
    )
    publisher, _ = Publisher.objects.get_or_create(
        source=source,
        remote_id=f"org-{territory.pk}-{status}",
        defaults={"name": territory.nom, "territory": territory, "match_status": status},
    )
    return HarvestedDataset.objects.create(
        source=source,
        remote_id=remote_id,
        url=f"https://www.data.gouv.fr/fr/datasets/{remote_id}/",
        title=f"Jeu {remote_id}",
        publisher=publisher,
        schemas=schemas or [],
        scdl_validation=validation or [],
    )


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)
