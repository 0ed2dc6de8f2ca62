"""The audit trail (django-auditlog) written in bulk, for changes made with ``bulk_update``.

``Model.save()`` logs a change by itself through auditlog's signals, at the price of a query to read the
old row and one to insert the entry, per object. A task that changes thousands of rows at once (the
commitment check after a snapshot) updates them with ``bulk_update`` and calls ``log_bulk_updates`` with
the rows as they were and as they are: the entries are the ones ``save()`` would have written (same diff,
same fields excluded or renamed by the ``AUDITLOG_INCLUDE_TRACKING_MODELS`` setting, same object text,
same actor and correlation id from the current auditlog context), inserted in one ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str


def log_bulk_updates(
    pairs: Iterable[tuple[models.Model, models.Model]], fields: Sequence[str] | None = None
) -> list[LogEntry]:
    """Write the update entries of ``(before, after)`` pairs of one tracked model; returns them.

    ``fields`` are the fields the bulk update wrote (``save(update_fields=…)``'s); a pair whose
    tracked fields did not change gets no entry, as with ``save()``.
    """
    if auditlog_disabled.get():
        return []
    entries = []
    for before, after in pairs:
        if not auditlog.contains(type(after)):
            raise ValueError(f"{type(after).__name__} n'est pas suivi par le journal d'audit")
        changes = model_instance_diff(
            before,
            after,
            fields_to_check=list(fields) if fields is not None else None,
            # auditlog's own default, which it puts on the settings when it loads.
            use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False),
        )
        if not changes:
            continue
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(after),
            object_pk=str(after.pk),
            object_id=after.pk if isinstance(after.pk, int) else None,
            object_repr=smart_str(after),
            serialized_data=LogEntry.objects._get_serialized_data_or_none(after),
            action=LogEntry.Action.UPDATE,
            changes=changes,
            cid=get_cid(),
        )
        get_additional_data = getattr(after, "get_additional_data", None)
        if callable(get_additional_data):
            entry.additional_data = get_additional_data()
        # bulk_create sends no pre_save: send it, so that auditlog's receivers (set_actor, the
        # middleware's) put the actor and the remote address on each entry as save() would.
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None)
        entries.append(entry)
    created: list[LogEntry] = LogEntry.objects.bulk_create(entries, batch_size=500)
    return created
