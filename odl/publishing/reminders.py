"""E-mail reminders when a dataset's declared frequency says its next version is due.

One reminder per version: once sent, the dataset is claimed (``last_reminded_at``) until a new version
is published. The e-mail goes to the collectivité's agents; without any, to the ATD's team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from odl.accounts.models import EtdAgent
from odl.publishing.models import Dataset


@dataclass
class ReminderReport:
    sent: int = 0
    without_address: int = 0


def _recipients(dataset: Dataset) -> list[str]:
    etd = dataset.etd
    agents = EtdAgent.objects.filter(territory_id=etd.territory_id, atd_id=etd.atd_id).select_related("user")
    emails = sorted({a.user.email for a in agents if a.user.email})
    if not emails:
        emails = sorted({m.user.email for m in etd.atd.memberships.select_related("user") if m.user.email})
    return emails


def send_update_reminders(today: dt.date | None = None) -> ReminderReport:
    today = today or timezone.localdate()
    report = ReminderReport()
    site = str(settings.SITE_URL).rstrip("/")
    candidates = (
        Dataset.objects.filter(latest__isnull=False)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=F("latest__created_at")))
        .select_related("latest", "etd__territory", "etd__atd")
    )
    for dataset in candidates:
        due = dataset.next_update_due()
        if due is None or due > today:
            continue
        with transaction.atomic():
            # Claimed first: two runs at once never send the same reminder twice.
            claimed = (
                Dataset.objects.filter(pk=dataset.pk)
                .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=F("latest__created_at")))
                .update(last_reminded_at=timezone.now())
            )
            if not claimed:
                continue
            to = _recipients(dataset)
            if not to:
                report.without_address += 1
                continue
            send_mail(
                subject=f"Mise à jour attendue : « {dataset.title} » ({dataset.etd.territory.nom})",
                message=(
                    f"Bonjour,\n\nLe jeu « {dataset.title} » est mis à jour selon une fréquence "
                    f"{dataset.get_frequency_display().lower()} ; sa prochaine version était attendue le "
                    f"{due:%d/%m/%Y}. Importez la nouvelle version ou modifiez ses lignes :\n"
                    f"{site}{dataset.space_url()}\n\nOpenDataLocale"
                ),
                from_email=None,
                recipient_list=to,
            )
            report.sent += 1
    return report
