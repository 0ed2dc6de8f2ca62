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
