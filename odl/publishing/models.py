"""The data space of a collectivité: its SCDL datasets, their immutable published versions, the imports
under way and the column mappings the platform remembers for the next import.

A dataset belongs to an ETD (a collectivité accompanied by an ATD): its agents and the ATD's team act
on it. A version, once written, is never changed: a way back is a new version with an old content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from odl.programme.models import Etd
from odl.territories.models import Territory

User = settings.AUTH_USER_MODEL


class Frequency(models.TextChoices):
    # The values are data.gouv.fr's (udata) frequency codes, so the push to data.gouv.fr needs no table.
    DAILY = "daily", "Quotidienne"
    WEEKLY = "weekly", "Hebdomadaire"
    MONTHLY = "monthly", "Mensuelle"
    QUARTERLY = "quarterly", "Trimestrielle"
    SEMIANNUAL = "semiannual", "Semestrielle"
    ANNUAL = "annual", "Annuelle"
    PUNCTUAL = "punctual", "Ponctuelle"
    IRREGULAR = "irregular", "Irrégulière"


FREQUENCY_DAYS = {
    Frequency.DAILY: 1,
    Frequency.WEEKLY: 7,
    Frequency.MONTHLY: 31,
    Frequency.QUARTERLY: 92,
    Frequency.SEMIANNUAL: 183,
    Frequency.ANNUAL: 365,
}


class Licence(models.TextChoices):
    ETALAB = "lov2", "Licence Ouverte / Open Licence version 2.0"
    ODBL = "odc-odbl", "Open Database License (ODbL)"


LICENCE_URLS: dict[str, str] = {
    Licence.ETALAB: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def of_etd(self, etd: Etd) -> DatasetQuerySet:
        return self.filter(etd=etd).select_related("latest").order_by("title")

    def published(self) -> DatasetQuerySet:
        return self.filter(latest__isnull=False, public=True)


class Dataset(models.Model):
    etd = models.ForeignKey(Etd, on_delete=models.CASCADE, related_name="datasets")
    schema_name = models.CharField("schéma SCDL", max_length=100)
    title = models.CharField("titre", max_length=200)
    description = models.TextField("description", blank=True)
    licence = models.CharField("licence", max_length=20, choices=Licence.choices, default=Licence.ETALAB)
    frequency = models.CharField(
        "fréquence de mise à jour", max_length=20, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    siret = models.CharField(
        "SIRET de la collectivité",
        max_length=14,
        blank=True,
        help_text="pré-remplit les colonnes qui identifient la collectivité",
    )
    public = models.BooleanField("page publique", default=True)
    # The newest version, kept here so that lists need no sub-query.
    latest = models.OneToOneField(
        "DatasetVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Any change of the description or of the latest version: the catalogue's cache key follows it.
    updated_at = models.DateTimeField(auto_now=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = "jeu de données"

    def __str__(self) -> str:
        return self.title

    @property
    def territory(self) -> Territory:
        return self.etd.territory

    def get_absolute_url(self) -> str:
        return reverse("publishing:public", args=[self.pk])

    def space_url(self) -> str:
        return reverse("publishing:dataset", args=[self.etd.atd.slug, self.etd_id, self.pk])

    def next_update_due(self) -> dt.date | None:
        """The day the declared frequency says the next version is due; None without a version or a rhythm."""
        days = FREQUENCY_DAYS.get(Frequency(self.frequency)) if self.frequency in Frequency.values else None
        if days is None or self.latest is None:
            return None
        return timezone.localtime(self.latest.created_at).date() + dt.timedelta(days=days)

    def update_overdue(self, today: dt.date | None = None) -> bool:
        due = self.next_update_due()
        return due is not None and due <= (today or timezone.localdate())


class VersionUnchangeable(Exception):
    """A published version is never changed: a new content is a new version."""


class DatasetVersion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="publishing/versions/")
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    schema_version = models.CharField(max_length=40)
    valid = models.BooleanField()
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Published by the ATD's team for the collectivité (shown "publié par l'ATD pour le compte de …").
    by_atd = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    # Counts and examples of the changes since the previous version (see odl.publishing.versions.diff).
    diff = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="dataset_version_unique")]
        verbose_name = "version publiée"

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise VersionUnchangeable(
                f"La version {self.number} est publiée : elle ne peut plus être modifiée."
            )
        super().save(*args, **kwargs)

    def download_url(self, fmt: str) -> str:
        return reverse("publishing:version_download", args=[self.dataset_id, self.number, fmt])

    def publisher_label(self) -> str:
        who = ""
        if self.created_by is not None:
            who = self.created_by.get_full_name() or self.created_by.get_username()
        if self.by_atd:
            etd = self.dataset.etd
            return f"publié par l'ATD {etd.atd.name} pour le compte de {etd.territory.nom}" + (
                f" ({who})" if who else ""
            )
        return f"publié par {who}" if who else "publié"


class DraftStatus(models.TextChoices):
    MAPPING = "mapping", "Colonnes à faire correspondre"
    CHECKED = "checked", "Vérifié, prêt à publier"
    PUBLISHED = "published", "Publié"


class ImportDraft(models.Model):
    """A file on its way to a version: the original, the columns found, the mapping and the check."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="drafts")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.FileField(upload_to="publishing/imports/")
    source_name = models.CharField(max_length=255)
    # The file's filled rows as text (CSV, line number first), read once: later steps never reopen the
    # workbook, whose parsing costs more than every other step together.
    grid = models.FileField(upload_to="publishing/imports/", blank=True)
    header_line = models.PositiveIntegerField(
        default=1, help_text="ligne d'en-tête, comptée comme dans un tableur"
    )
    columns = models.JSONField(default=list)
    # One entry per file column: the schema field it feeds, or "" (kept aside).
    mapping = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=DraftStatus.choices, default=DraftStatus.MAPPING)
    checked = models.FileField(upload_to="publishing/imports/", blank=True)
    aside = models.FileField(upload_to="publishing/imports/", blank=True)
    report = models.JSONField(default=dict)
    version = models.ForeignKey(
        DatasetVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import en cours"


class ColumnMemory(models.Model):
    """A file column name (folded) a collectivité once mapped to a schema field: proposed again next time."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    schema_name = models.CharField(max_length=100)
    column = models.CharField(max_length=200)
    field = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "schema_name", "column"], name="column_memory_unique"
            )
        ]
