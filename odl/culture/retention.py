"""The retention period the consent text promises: answers are deleted once it has passed.

Each campaign states how many months an answer is kept after it was sent (shown to the respondent
before she answers). ``odl purge`` deletes the responses older than that, with their answers, and counts
them on the campaign so that its figures page can say why respondents are fewer. Running it twice
deletes nothing more.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from odl.core.dates import months_before
from odl.culture.models import Campaign, Response


def purge_expired_responses(now: dt.datetime) -> int:
    """Delete the responses past their campaign's retention period; the number deleted."""
    removed = 0
    campaigns = Campaign.objects.filter(responses__isnull=False).distinct().only("pk", "retention_months")
    for campaign in campaigns:
        limit = months_before(now, campaign.retention_months)
        with transaction.atomic():
            expired = Response.objects.filter(campaign=campaign, submitted_at__lt=limit)
            # Answers go with their response (CASCADE).
            count = expired.count()
            if not count:
                continue
            expired.delete()
            Campaign.objects.filter(pk=campaign.pk).update(purged_responses=F("purged_responses") + count)
        removed += count
    return removed
