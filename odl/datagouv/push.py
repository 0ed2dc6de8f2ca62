"""Pushing one dataset to data.gouv.fr: create or update, idempotent, with a dry run and later retries.

The caller (the publication app) describes what to push with a :class:`PushItem` and calls
:func:`push`. Nothing here imports the caller: a :class:`RemoteIdStore` on the item, when given, is
told the remote ids as soon as data.gouv.fr answers, and :data:`dataset_pushed` is sent after every
successful push (retries included), so the caller can keep its own copy of them.

Never a duplicate: the remote ids are written (``RemoteDataset``) the moment data.gouv.fr gives them;
a push that lost them (a timeout after the creation, a crash) looks the dataset up by its extras key
(``odl_local_id``) among the organisation's datasets, and the resource by the same key or by its file
name, before creating anything.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify

from odl.core import logs
from odl.datagouv.client import DatagouvClient, DatagouvError
from odl.datagouv.models import DatagouvLink, Push, PushStatus, RemoteDataset

logger = logging.getLogger(__name__)
EXTRAS_KEY = "odl_local_id"
LOCK_MINUTES = 15
# Sent after each successful push: sender=Push, territory, local_id, dataset_id, resource_id, page.
dataset_pushed = Signal()

FIELD_LABELS = {
    "title": "titre",
    "description": "description",
    "organization": "organisation",
    "license": "licence",
    "frequency": "fréquence de mise à jour",
    "tags": "mots-clés",
    "extras": "identifiant local",
    "resource_title": "titre de la ressource",
    "format": "format",
    "schema": "schéma",
}


@dataclass(frozen=True)
class RemoteIds:
    dataset_id: str = ""
    resource_id: str = ""


class RemoteIdStore(Protocol):
    """Where the caller keeps the remote ids of its dataset (read before, written during a push)."""

    def load_remote_ids(self) -> RemoteIds: ...

    def save_remote_ids(self, ids: RemoteIds) -> None: ...


@dataclass
class PushItem:
    """What to push: one dataset, one resource (the file) with its SCDL schema.

    ``local_id`` identifies the dataset on this platform (its slug): the same ``local_id`` always
    updates the same remote dataset. ``license`` and ``frequency`` are udata identifiers (``fr-lo``,
    ``lov2``, ``odc-odbl``…; ``annual``, ``monthly``, ``unknown``…).
    """

    local_id: str
    title: str
    description: str
    filename: str
    content: bytes
    fmt: str = "csv"
    license: str = "fr-lo"
    frequency: str = "unknown"
    schema_name: str = ""
    schema_version: str = ""
    tags: list[str] = field(default_factory=list)
    resource_title: str = ""
    store: RemoteIdStore | None = None

    def metadata(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "fmt": self.fmt,
            "license": self.license,
            "frequency": self.frequency,
            "schema_name": self.schema_name,
            "schema_version": self.schema_version,
            "tags": list(self.tags),
            "resource_title": self.resource_title,
        }

    @classmethod
    def from_push(cls, push: Push) -> PushItem:
        meta = push.metadata
        with push.file.open("rb") as handle:
            content = handle.read()
        return cls(
            local_id=push.local_id,
            title=str(meta.get("title") or push.title),
            description=str(meta.get("description") or ""),
            filename=push.filename,
            content=content,
            fmt=str(meta.get("fmt") or "csv"),
            license=str(meta.get("license") or "fr-lo"),
            frequency=str(meta.get("frequency") or "unknown"),
            schema_name=str(meta.get("schema_name") or ""),
            schema_version=str(meta.get("schema_version") or ""),
            tags=[str(t) for t in meta.get("tags") or []],
            resource_title=str(meta.get("resource_title") or ""),
        )


class NotReady(Exception):
    """The link lacks its organisation or key: said in French, nothing is called."""


def normalise_tags(tags: list[str]) -> list[str]:
    """udata keeps tags slugified, 3 to 96 characters."""
    found = []
    for tag in tags:
        slug = slugify(tag)[:96]
        if len(slug) >= 3 and slug not in found:
            found.append(slug)
    return sorted(found)


def dataset_payload(item: PushItem, link: DatagouvLink, remote: dict[str, Any] | None) -> dict[str, Any]:
    extras = dict((remote or {}).get("extras") or {})
    extras[EXTRAS_KEY] = item.local_id
    return {
        "title": item.title,
        "description": item.description or item.title,
        "organization": link.organization_id,
        "license": item.license,
        "frequency": item.frequency,
        "tags": normalise_tags(item.tags),
        "extras": extras,
    }


def resource_payload(item: PushItem, remote: dict[str, Any] | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": item.resource_title or item.filename,
        "format": item.fmt.lower(),
        "type": "main",
        "filetype": "file",
        "extras": {**dict((remote or {}).get("extras") or {}), EXTRAS_KEY: item.local_id},
    }
    if item.schema_name:
        payload["schema"] = {"name": item.schema_name, "version": item.schema_version or None}
    if remote and remote.get("url"):
        payload["url"] = remote["url"]  # udata keeps a stored file's address; sending it back is harmless
    return payload


def _remote_value(remote: dict[str, Any], name: str) -> Any:
    value = remote.get(name)
    if name == "organization":
        return (value or {}).get("id") if isinstance(value, dict) else value
    if name == "license":
        return value.get("id") if isinstance(value, dict) else value
    if name == "tags":
        return sorted(value or [])
    if name == "extras":
        return (value or {}).get(EXTRAS_KEY)
    return value


def _shown(value: Any) -> Any:
    text = value if isinstance(value, str) else value
    if isinstance(text, str) and len(text) > 200:
        return text[:200] + "…"
    return text


def dataset_changes(wanted: dict[str, Any], remote: dict[str, Any] | None) -> list[dict[str, Any]]:
    changes = []
    for name, value in wanted.items():
        after = value.get(EXTRAS_KEY) if name == "extras" else value
        before = _remote_value(remote, name) if remote else None
        if remote is None or before != after:
            changes.append(
                {"field": name, "label": FIELD_LABELS[name], "before": _shown(before), "after": _shown(after)}
            )
    return changes


def resource_changes(wanted: dict[str, Any], remote: dict[str, Any] | None) -> list[dict[str, Any]]:
    changes = []
    pairs = [("resource_title", "title"), ("format", "format"), ("schema", "schema"), ("extras", "extras")]
    for label_key, name in pairs:
        after = wanted.get(name)
        before = (remote or {}).get(name)
        if name == "schema":
            before = {"name": before.get("name"), "version": before.get("version")} if before else None
        if name == "extras":
            after, before = (after or {}).get(EXTRAS_KEY), (before or {}).get(EXTRAS_KEY)
        if remote is None or (before or None) != (after or None):
            changes.append(
                {"field": label_key, "label": FIELD_LABELS[label_key], "before": before, "after": after}
            )
    return changes


def _checksum(content: bytes, remote: dict[str, Any]) -> tuple[str, str]:
    """(ours, theirs) in the algorithm data.gouv.fr used (sha1 by default)."""
    checksum = remote.get("checksum") or {}
    kind = str(checksum.get("type") or "sha1").lower() if isinstance(checksum, dict) else "sha1"
    algorithm = {"sha1": "sha1", "sha2": "sha256", "sha256": "sha256", "md5": "md5"}.get(kind, "sha1")
    theirs = str(checksum.get("value") or "") if isinstance(checksum, dict) else ""
    return hashlib.new(algorithm, content).hexdigest(), theirs


def find_resource(dataset: dict[str, Any] | None, ids: RemoteIds, item: PushItem) -> dict[str, Any] | None:
    resources = [r for r in (dataset or {}).get("resources") or [] if isinstance(r, dict)]
    for resource in resources:
        if ids.resource_id and resource.get("id") == ids.resource_id:
            return resource
    for resource in resources:
        if (resource.get("extras") or {}).get(EXTRAS_KEY) == item.local_id:
            return resource
    # An upload whose answer was lost: udata titles a new resource after its file name.
    for resource in resources:
        if resource.get("filetype") == "file" and resource.get("title") == item.filename:
            return resource
    return None


# --- Running a push ----------------------------------------------------------------------------------


def _stored(link: DatagouvLink, item: PushItem) -> tuple[RemoteDataset, RemoteIds]:
    row, _created = RemoteDataset.objects.get_or_create(link=link, local_id=item.local_id)
    ids = RemoteIds(row.dataset_id, row.resource_id)
    if item.store is not None:
        theirs = item.store.load_remote_ids()
        ids = RemoteIds(ids.dataset_id or theirs.dataset_id, ids.resource_id or theirs.resource_id)
    return row, ids


def _remember(row: RemoteDataset, item: PushItem, push: Push, ids: RemoteIds, page: str = "") -> None:
    row.dataset_id, row.resource_id = ids.dataset_id, ids.resource_id
    fields = ["dataset_id", "resource_id"]
    if page:
        row.page = page
        fields.append("page")
    row.save(update_fields=fields)
    push.dataset_id, push.resource_id = ids.dataset_id, ids.resource_id
    push.save(update_fields=["dataset_id", "resource_id"])
    if item.store is not None:
        item.store.save_remote_ids(ids)


def _claim(row: RemoteDataset) -> bool:
    now = timezone.now()
    claimed = (
        RemoteDataset.objects.filter(pk=row.pk)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + timedelta(minutes=LOCK_MINUTES))
    )
    return bool(claimed)


def _release(row: RemoteDataset) -> None:
    RemoteDataset.objects.filter(pk=row.pk).update(locked_until=None)


def _fail(push: Push, error: DatagouvError) -> None:
    push.status = PushStatus.FAILED
    push.error = error.message
    push.error_kind = error.kind
    push.finished_at = timezone.now()
    attempts_left = push.attempts < int(settings.ODL_DATAGOUV_MAX_ATTEMPTS)
    push.retryable = bool(error.retryable and attempts_left and not push.dry_run)
    if push.retryable:
        base = int(settings.ODL_DATAGOUV_RETRY_MINUTES) * 60 * 2 ** max(0, push.attempts - 1)
        wait = max(base, error.retry_after or 0)
        push.next_attempt_at = push.finished_at + timedelta(seconds=wait)
    elif error.retryable:
        push.error += f" Abandon après {push.attempts} essais : relancez l'envoi à la main."
        push.next_attempt_at = None
    else:
        push.next_attempt_at = None
    push.save()


def _run(push: Push, item: PushItem) -> Push:
    logs.log_start(logger, "datagouv.push", push_id=push.pk, link_id=push.link_id, dry_run=push.dry_run)
    started = time.monotonic()
    try:
        return _attempt(push, item)
    finally:
        logs.log_end(
            logger,
            "datagouv.push",
            time.monotonic() - started,
            push_id=push.pk,
            link_id=push.link_id,
            status=push.status,
            attempts=push.attempts,
            error_kind=push.error_kind,
        )


def _attempt(push: Push, item: PushItem) -> Push:
    link = push.link
    row, ids = _stored(link, item)
    if not push.dry_run and not _claim(row):
        _fail(
            push,
            DatagouvError(
                "Un autre envoi de ce jeu de données est en cours : celui-ci sera réessayé ensuite.",
                kind="busy",
                retryable=True,
            ),
        )
        return push
    push.status = PushStatus.RUNNING
    push.attempts += 1
    push.started_at = timezone.now()
    push.save(update_fields=["status", "attempts", "started_at"])
    try:
        with DatagouvClient(link, push) as client:
            _steps(client, push, item, row, ids)
    except DatagouvError as error:
        if error.kind == "key":
            DatagouvLink.objects.filter(pk=link.pk).update(key_status="refused")
        _fail(push, error)
        return push
    except Exception:
        # A bug or an answer of an unexpected shape: the push is kept and tried again, never left running.
        logger.exception("data.gouv.fr push %s failed unexpectedly", push.pk)
        _fail(
            push,
            DatagouvError(
                "Erreur inattendue pendant l'envoi (réponse de data.gouv.fr d'une forme imprévue ?) : "
                "l'envoi sera réessayé ; le journal des appels montre les réponses reçues.",
                kind="internal",
                retryable=True,
            ),
        )
        return push
    finally:
        if not push.dry_run:
            _release(row)
    push.status = PushStatus.DRY_RUN if push.dry_run else PushStatus.DONE
    push.error, push.error_kind, push.retryable, push.next_attempt_at = "", "", False, None
    push.finished_at = timezone.now()
    push.save()
    if not push.dry_run:
        DatagouvLink.objects.filter(pk=link.pk).update(key_status="ok")
        # An older failed push of the same dataset must not come back later over this one.
        Push.objects.filter(
            link=link, local_id=push.local_id, status=PushStatus.FAILED, pk__lt=push.pk
        ).update(retryable=False, next_attempt_at=None)
        dataset_pushed.send(
            sender=Push,
            push=push,
            territory=link.territory,
            local_id=push.local_id,
            dataset_id=push.dataset_id,
            resource_id=push.resource_id,
            page=row.page,
        )
    return push


def _id(answer: dict[str, Any], what: str) -> str:
    value = str(answer.get("id") or "")
    if not value:
        raise DatagouvError(
            f"data.gouv.fr a répondu sans l'identifiant {what} : l'envoi sera réessayé (sans doublon).",
            kind="answer",
            retryable=True,
        )
    return value


def _steps(client: DatagouvClient, push: Push, item: PushItem, row: RemoteDataset, ids: RemoteIds) -> None:
    link = push.link
    remote = client.dataset(ids.dataset_id) if ids.dataset_id else None
    if remote is not None and remote.get("deleted"):
        remote = None  # deleted on data.gouv.fr by someone: published again as a new dataset
    if remote is None:
        remote = client.find_dataset(link.organization_id, EXTRAS_KEY, item.local_id)
    if remote is None:
        ids = RemoteIds()
    wanted = dataset_payload(item, link, remote)
    resource = find_resource(remote, ids, item)
    wanted_resource = resource_payload(item, resource)
    plan: dict[str, Any] = {
        "dataset": "update" if remote else "create",
        "dataset_id": (remote or {}).get("id", ""),
        "dataset_changes": dataset_changes(wanted, remote),
        "resource": "update" if resource else "create",
        "resource_id": (resource or {}).get("id", ""),
        "resource_changes": resource_changes(wanted_resource, resource),
        "file": "upload",
    }
    if resource:
        ours, theirs = _checksum(item.content, resource)
        plan["file"] = "unchanged" if ours == theirs else "replace"
    push.plan = plan
    push.save(update_fields=["plan"])
    if push.dry_run:
        return

    if remote is None:
        remote = client.create_dataset(wanted)
        ids = RemoteIds(_id(remote, "du jeu de données"))
        _remember(row, item, push, ids, str(remote.get("page") or ""))
    elif plan["dataset_changes"]:
        remote = client.update_dataset(str(remote["id"]), wanted)
        ids = RemoteIds(_id(remote, "du jeu de données"), ids.resource_id)
        _remember(row, item, push, ids, str(remote.get("page") or ""))
    else:
        ids = RemoteIds(str(remote["id"]), ids.resource_id)
        _remember(row, item, push, ids, str(remote.get("page") or ""))
    dataset_id = ids.dataset_id
    mime = mimetypes.guess_type(item.filename)[0] or "application/octet-stream"
    uploaded: dict[str, Any] | None = None
    if resource is None:
        uploaded = client.upload_new(dataset_id, item.filename, item.content, mime)
        ids = RemoteIds(dataset_id, _id(uploaded, "de la ressource"))
        _remember(row, item, push, ids)
    else:
        ids = RemoteIds(dataset_id, str(resource["id"]))
        _remember(row, item, push, ids)
        if plan["file"] == "replace":
            uploaded = client.upload_replace(dataset_id, ids.resource_id, item.filename, item.content, mime)
    current = uploaded or resource
    if resource_changes(resource_payload(item, current), current):
        client.update_resource(dataset_id, ids.resource_id, resource_payload(item, current))
    RemoteDataset.objects.filter(pk=row.pk).update(pushed_at=timezone.now())


def push(
    link: DatagouvLink,
    item: PushItem,
    dry_run: bool = False,
    *,
    user: Any = None,
    on_behalf_of_atd: str = "",
) -> Push:
    """Push ``item`` for the collectivité of ``link`` (or only say what would change, ``dry_run``).

    Returns the recorded :class:`Push`: ``status`` done, dry_run or failed (with its French ``error``;
    a retryable failure has its ``next_attempt_at``). Raises :class:`NotReady` when the collectivité
    has no organisation or no key yet.
    """
    if not link.organization_id:
        raise NotReady("Choisissez d'abord l'organisation data.gouv.fr de la collectivité.")
    if not link.api_key:
        raise NotReady("Enregistrez d'abord la clé d'API data.gouv.fr de la collectivité.")
    if not item.local_id.strip() or not item.title.strip():
        raise NotReady("Le jeu de données à envoyer doit avoir un identifiant et un titre.")
    with transaction.atomic():
        record = Push.objects.create(
            link=link,
            local_id=item.local_id,
            title=item.title[:350],
            metadata=item.metadata(),
            filename=item.filename,
            dry_run=dry_run,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            on_behalf_of_atd=on_behalf_of_atd,
        )
        if not dry_run:
            # Kept so that a failed push can be tried again later, exactly as it was asked.
            record.file.save(item.filename, ContentFile(item.content), save=True)
    return _run(record, item)


def retry(record: Push) -> Push | None:
    """Try a failed push again, from its snapshot; None when another process took it first."""
    claimed = Push.objects.filter(pk=record.pk, status=PushStatus.FAILED).update(status=PushStatus.PENDING)
    if not claimed:
        return None
    record.refresh_from_db()
    if not record.file:
        _fail(
            record,
            DatagouvError("Le fichier de cet envoi n'a pas été gardé : relancez l'envoi.", kind="lost"),
        )
        return record
    return _run(record, PushItem.from_push(record))


def release_stale(now: Any = None) -> int:
    """Pushes left running by a process that died (past the lock's time) become failed and retryable."""
    now = now or timezone.now()
    stale = Push.objects.filter(
        status=PushStatus.RUNNING, started_at__lt=now - timedelta(minutes=LOCK_MINUTES)
    )
    return stale.update(
        status=PushStatus.FAILED,
        retryable=True,
        error_kind="interrupted",
        error="L'envoi a été interrompu (processus arrêté) : il sera réessayé, sans doublon.",
        next_attempt_at=now,
    )


def retry_due(now: Any = None, *, everything: bool = False) -> list[Push]:
    """Every failed push whose wait is over (``everything``: every retryable one, waiting or not)."""
    release_stale(now)
    due = (
        Push.objects.filter(status=PushStatus.FAILED, retryable=True) if everything else Push.objects.due(now)
    )
    done = []
    for record in due.select_related("link__territory").order_by("created_at", "pk"):
        result = retry(record)
        if result is not None:
            done.append(result)
    return done


def requeue_after_new_key(link: DatagouvLink) -> int:
    """Pushes refused for the key are tried again at the next retry once a new key is saved."""
    latest: dict[str, int] = {}
    for record in Push.objects.filter(link=link, status=PushStatus.FAILED, error_kind="key", dry_run=False):
        if record.local_id not in latest or record.pk > latest[record.local_id]:
            latest[record.local_id] = record.pk
    return Push.objects.filter(pk__in=latest.values()).update(retryable=True, next_attempt_at=timezone.now())
