from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models


class ValidationRunQuerySet(models.QuerySet["ValidationRun"]):
    def older_than(self, moment: dt.datetime) -> ValidationRunQuerySet:
        """Runs past their retention (``odl purge``)."""
        return self.filter(created_at__lt=moment)


class ValidationRun(models.Model):
    """One validation of one file, kept so that its report has a shareable URL and a badge."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    file_name = models.CharField("fichier", max_length=255)
    schema_name = models.CharField("schéma", max_length=200)
    schema_version = models.CharField("version", max_length=40, blank=True)
    valid = models.BooleanField("valide")
    rows = models.PositiveIntegerField("lignes", default=0)
    errors = models.PositiveIntegerField("erreurs", default=0)
    warnings = models.PositiveIntegerField("avertissements", default=0)
    report = models.JSONField("rapport")
    fixed_file = models.CharField("copie corrigée", max_length=500, blank=True)

    objects = ValidationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "validation"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.schema_name} {self.schema_version})"


class JobStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    DONE = "terminee", "Terminée"
    FAILED = "echec", "Échec"


class ValidationJobQuerySet(models.QuerySet["ValidationJob"]):
    def of_batch(self, batch: uuid.UUID) -> ValidationJobQuerySet:
        """The files of one drop on the validation page, in the order they were sent."""
        return self.filter(batch=batch).select_related("run").order_by("position")

    def older_than(self, moment: dt.datetime) -> ValidationJobQuerySet:
        return self.filter(created_at__lt=moment)


class ValidationJob(models.Model):
    """One file dropped on the validation page and how its validation goes: done at once for a small
    file of a batch, as a job (thread or Celery task) for a large one, so that the page can show it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.UUIDField("lot", db_index=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    file_name = models.CharField("fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    schema_spec = models.CharField("schéma demandé", max_length=200, default="auto")
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    message = models.TextField(blank=True)
    # The stored upload while the job waits or runs; removed once validated.
    upload = models.CharField(max_length=500, blank=True)
    run = models.OneToOneField(ValidationRun, null=True, blank=True, on_delete=models.SET_NULL)
    # The process whose thread runs the job (``odl.core.processes``), on the embedded default only: a job
    # whose process stopped is taken up again by the next page that shows it (``jobs.take_up_orphans``).
    holder = models.CharField(max_length=200, blank=True, editable=False)

    objects = ValidationJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "validation en cours"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
