"""Dated snapshots of who publishes: OpenDataFrance's editions, then the platform's own."""

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from odl.core import figures
from odl.territories.models import Territory


class SnapshotOrigin(models.TextChoices):
    ODF = "odf", "Édition OpenDataFrance"
    HARVEST = "harvest", "Moissonnage de la plateforme"
    # Fictitious snapshots of « odl load_demo »; a real snapshot or edition removes them (see below).
    DEMO = "demo", "Démonstration, chiffres fictifs"


class Snapshot(models.Model):
    date = models.DateField()
    label = models.CharField(max_length=200)
    origin = models.CharField(max_length=20, help_text="odf (édition OpenDataFrance) ou harvest (plateforme)")
    edition = models.PositiveIntegerField(null=True, blank=True)
    method = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    source_name = models.CharField(
        "source", max_length=300, blank=True, help_text="fichier importé ou moissonnage d'origine"
    )
    report = models.JSONField(
        default=dict, blank=True, help_text="bilan du calcul ou de l'import (lignes non rapprochées…)"
    )

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return self.label

    @property
    def origin_label(self) -> str:
        return str(SnapshotOrigin(self.origin).label) if self.origin in SnapshotOrigin.values else self.origin


class SnapshotEntry(models.Model):
    """One organisation in a snapshot: open (publishes under its own name) or only published for."""

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
    region_code = models.CharField(max_length=3, blank=True, db_index=True)
    departement_code = models.CharField(max_length=3, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True, help_text="telle que la source la donne")
    match_method = models.CharField(max_length=20, blank=True, help_text="siren, code ou vide")
    scdl_resources = models.PositiveIntegerField(
        default=0, help_text="ressources déclarées sous un schéma SCDL"
    )
    scdl_valid = models.PositiveIntegerField(
        null=True, blank=True, help_text="dont valides ; vide quand aucun validateur n'a pu les contrôler"
    )
    scdl_checked = models.PositiveIntegerField(
        null=True, blank=True, help_text="ressources SCDL contrôlées (le dénominateur de la part valide)"
    )
    on_behalf_of = models.JSONField(
        default=list, blank=True, help_text="SIREN des collectivités pour le compte desquelles elle publie"
    )
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="la ligne source telle quelle")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "siren"], name="snapshot_siren_unique")]


def snapshots_version() -> str:
    """A token that changes whenever a snapshot is stored, retaken or deleted: the figures, history and
    pages kept in the ``figures`` cache (odl/core/figures.py) are keyed by it, read without a query."""
    return figures.version("snapshots")


@receiver(post_save, sender=Snapshot)
@receiver(post_delete, sender=Snapshot)
def _snapshot_changed(**kwargs: Any) -> None:
    # A snapshot's entries are written in the same transaction: bump renews the token again at commit.
    figures.bump("snapshots")
