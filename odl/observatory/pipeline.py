"""After a harvest: deduplicate, check SCDL resources, take the day's snapshot — in that order.

The harvest app announces ``harvest_finished``; this is the one place that decides what measuring
needs next. Deduplication comes first (a duplicate must not be downloaded or counted twice), the SCDL
checks run outside any transaction (they go to the network), and the snapshot reads only what is
stored, so it never touches the network.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from odl.harvest.harvesters.runner import deduplicate
from odl.harvest.scdl_checks import validate_pending
from odl.observatory.history import take_snapshot
from odl.observatory.models import Snapshot

logger = logging.getLogger(__name__)


def after_harvest(**_signal: Any) -> Snapshot:
    with transaction.atomic():
        deduplicate()
    # A resource that cannot be checked never fails the harvest, and neither may a bug in the checks.
    try:
        stats = validate_pending()
        if stats.datasets:
            logger.info("SCDL checks: %s", stats)
    except Exception:
        logger.exception("checking SCDL resources after the harvest failed")
    return take_snapshot()
