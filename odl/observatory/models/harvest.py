"""Harvest sources, runs, the publishers found there and the datasets they publish."""

from django.conf import settings
from django.db import models

from odl.territories.models import Territory


class SourceKind(models.TextChoices):
    DATAGOUV = "datagouv", "data.gouv.fr"
    CKAN = "ckan", "CKAN"
    OPENDATASOFT = "opendatasoft", "Opendatasoft"
    DCAT = "dcat", "Catalogue DCAT"


class HarvestSource(models.Model):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    url = models.URLField(max_length=500)
    filters = models.JSONField(default=dict, blank=True, help_text="organisation, éditeur, mots-clés…")
    owner = models.ForeignKey(
        Territory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="ATD propriétaire ; vide pour une source nationale",
    )
    technology = models.CharField("technologie", max_length=60, blank=True)
    schedule = models.CharField(max_length=20, default="weekly")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "source de moissonnage"

    def __str__(self) -> str:
        return self.name


class HarvestRun(models.Model):
    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, default="running")
    items_seen = models.PositiveIntegerField(default=0)
    items_new = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)
    items_archived = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]


class Publisher(models.Model):
    """An organisation as a source names it, and the collectivité it is matched to."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="publishers")
    remote_id = models.CharField(max_length=300)
    name = models.CharField(max_length=500)
    business_number = models.CharField(max_length=20, blank=True, help_text="SIRET ou SIREN déclaré")
    extras = models.JSONField(default=dict, blank=True)
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="publishers"
    )
    on_behalf_of = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="published_for"
    )
    match_method = models.CharField(max_length=20, blank=True)
    match_status = models.CharField(max_length=20, default="unmatched")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="publisher_source_remote_unique")
        ]

    def __str__(self) -> str:
        return self.name


class HarvestedDataset(models.Model):
    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="datasets")
    remote_id = models.CharField(max_length=300)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    publisher = models.ForeignKey(
        Publisher, null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets"
    )
    license = models.CharField(max_length=200, blank=True)
    remote_created = models.DateTimeField(null=True, blank=True)
    remote_modified = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    resources = models.JSONField(default=list, blank=True)
    schemas = models.JSONField(default=list, blank=True, help_text="schémas SCDL détectés")
    dedup_key = models.CharField(max_length=300, blank=True, db_index=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="dataset_source_remote_unique")
        ]

    def __str__(self) -> str:
        return self.title
