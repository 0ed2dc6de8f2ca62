"""Dated snapshots of who publishes: OpenDataFrance's editions, then the platform's own."""

from django.db import models

from odl.territories.models import Territory


class Snapshot(models.Model):
    date = models.DateField()
    label = models.CharField(max_length=200)
    origin = models.CharField(max_length=20, help_text="odf (édition OpenDataFrance) ou harvest (plateforme)")
    edition = models.PositiveIntegerField(null=True, blank=True)
    method = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return self.label


class SnapshotEntry(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="entries")
    territory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL)
    siren = models.CharField(max_length=9, db_index=True)
    nom = models.CharField(max_length=300)
    organisation_type = models.CharField(max_length=10, blank=True)
    is_open = models.BooleanField(default=True)
    datasets_count = models.PositiveIntegerField(default=0)
    platforms = models.JSONField(default=list, blank=True)
    technologies = models.JSONField(default=list, blank=True)
    schemas = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "siren"], name="snapshot_siren_unique")]
