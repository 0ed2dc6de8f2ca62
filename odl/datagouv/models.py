"""A collectivité's link to its data.gouv.fr organisation, what was pushed there, and every call made.

- :class:`DatagouvLink`: one per collectivité (a :class:`~odl.territories.models.Territory` with a
  SIREN): its organisation on data.gouv.fr and its API key, encrypted at rest (``odl.core.secrets``).
- :class:`RemoteDataset`: the remote dataset and resource ids of one local dataset, written as soon as
  data.gouv.fr answers, so that a retry updates instead of creating a second copy.
- :class:`Push`: one push (or dry run) with a snapshot of what was asked (metadata and file), so that a
  failed push can be retried later by ``odl datagouv_retry`` without its caller.
- :class:`ApiCall`: every HTTP call, with its address (the key travels in a header, never in it), its
  status, the start of the answer and its duration.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from odl.core.secrets import EncryptedSecretField
from odl.territories.models import Territory


class DatagouvLinkQuerySet(models.QuerySet["DatagouvLink"]):
    def for_territories(self, territory_ids: Any) -> DatagouvLinkQuerySet:
        return self.filter(territory_id__in=territory_ids)


class DatagouvLink(models.Model):
    territory = models.OneToOneField(Territory, on_delete=models.CASCADE, related_name="datagouv_link")
    organization_id = models.CharField("identifiant de l'organisation", max_length=64, blank=True)
    organization_name = models.CharField("organisation", max_length=300, blank=True)
    organization_slug = models.CharField(max_length=300, blank=True)
    business_number_id = models.CharField("SIRET déclaré sur data.gouv.fr", max_length=20, blank=True)
    secret = EncryptedSecretField(
        "clé d'API", blank=True, default=dict, editable=False, help_text="clé d'API data.gouv.fr, chiffrée"
    )
    key_set_at = models.DateTimeField("clé enregistrée le", null=True, blank=True)
    key_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The last verdict on the key: "" (not tried), "ok" or "refused" (401/403).
    key_status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DatagouvLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "lien data.gouv.fr"
        verbose_name_plural = "liens data.gouv.fr"

    def __str__(self) -> str:
        return f"{self.territory} → {self.organization_name or 'sans organisation'}"

    @property
    def api_key(self) -> str:
        return str((self.secret or {}).get("api_key") or "")

    def set_api_key(self, key: str, user: Any) -> None:
        self.secret = {"api_key": key.strip()} if key.strip() else {}
        self.key_set_at = timezone.now()
        self.key_set_by = user if getattr(user, "is_authenticated", False) else None
        self.key_status = ""

    @property
    def key_hint(self) -> str:
        """The last four characters, enough to recognise a key without showing it."""
        key = self.api_key
        return f"…{key[-4:]}" if len(key) >= 12 else ("enregistrée" if key else "")

    @property
    def ready(self) -> bool:
        return bool(self.organization_id and self.api_key)

    def organization_page(self) -> str:
        if not self.organization_slug:
            return ""
        return f"https://www.data.gouv.fr/fr/organizations/{self.organization_slug}/"


class RemoteDataset(models.Model):
    link = models.ForeignKey(DatagouvLink, on_delete=models.CASCADE, related_name="remote_datasets")
    local_id = models.CharField("identifiant local", max_length=200)
    dataset_id = models.CharField("jeu de données distant", max_length=64, blank=True)
    resource_id = models.CharField("ressource distante", max_length=64, blank=True)
    page = models.URLField("page sur data.gouv.fr", max_length=500, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    # Held by the push under way: two pushes of one dataset at once could each create it.
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "local_id"], name="datagouv_remote_once")]

    def __str__(self) -> str:
        return f"{self.local_id} → {self.dataset_id or '?'}"


class PushStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    RUNNING = "running", "en cours"
    DONE = "done", "envoyé"
    FAILED = "failed", "échoué"
    DRY_RUN = "dry_run", "simulation"


class PushQuerySet(models.QuerySet["Push"]):
    def due(self, now: Any = None) -> PushQuerySet:
        """Failed pushes that may be tried again now."""
        now = now or timezone.now()
        return self.filter(status=PushStatus.FAILED, retryable=True, next_attempt_at__lte=now)

    def for_list(self) -> PushQuerySet:
        return self.select_related("link__territory", "created_by").order_by("-created_at", "-pk")


def _snapshot_path(instance: Push, filename: str) -> str:
    return f"datagouv/envois/{instance.link_id}/{filename}"


class Push(models.Model):
    link = models.ForeignKey(DatagouvLink, on_delete=models.CASCADE, related_name="pushes")
    local_id = models.CharField("identifiant local", max_length=200)
    title = models.CharField("titre", max_length=350)
    # The item as asked (title, description, licence, frequency, schema, tags, resource title, format).
    metadata = models.JSONField(default=dict)
    file = models.FileField(upload_to=_snapshot_path, blank=True)
    filename = models.CharField(max_length=255)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=PushStatus.choices, default=PushStatus.PENDING)
    # "create" or "update" for the dataset, and the fields that differ (the dry run's answer too).
    plan = models.JSONField(default=dict)
    error = models.TextField("erreur", blank=True)
    # What kind of failure (odl.datagouv.client.DatagouvError.kind): "key" pushes wait for a new key.
    error_kind = models.CharField(max_length=20, blank=True)
    retryable = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    dataset_id = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when ATD staff pushed for the collectivité: shown as « envoyé par l'ATD pour le compte de … ».
    on_behalf_of_atd = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PushQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="datagouv_push_due")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self, atd_slug: str) -> str:
        return reverse("datagouv:push", args=[atd_slug, self.link.territory.siren, self.pk])


class ApiCall(models.Model):
    link = models.ForeignKey(DatagouvLink, on_delete=models.CASCADE, related_name="calls")
    push = models.ForeignKey(Push, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls")
    method = models.CharField(max_length=10)
    url = models.CharField("adresse", max_length=1000)
    # None when no answer came (timeout, connection refused).
    status = models.PositiveIntegerField(null=True, blank=True)
    answer = models.TextField("réponse (début)", blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.url} → {self.status or '—'}"
