"""Harvest sources, runs, the publishers found there and the datasets they publish.

These models were born in the observatory app: their tables keep the ``observatory_`` names so that a
platform upgraded from then keeps every row (see migration 0001).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from odl.harvest.harvesters.base import kinds
from odl.territories.models import AtdMember, Kind, Territory

# Publisher.match_status values. Only CONFIRMED ones count a collectivité as "open".
MATCH_AUTO = "auto"
MATCH_ACCEPTED = "accepted"
MATCH_TO_REVIEW = "to_review"
MATCH_REJECTED = "rejected"
MATCH_NOT_COLLECTIVITE = "not_collectivite"
MATCH_UNMATCHED = "unmatched"
CONFIRMED_STATUSES = (MATCH_AUTO, MATCH_ACCEPTED)
# A person decided these: no later harvest may overwrite them.
MANUAL_STATUSES = (MATCH_ACCEPTED, MATCH_REJECTED, MATCH_NOT_COLLECTIVITE)
MATCH_STATUS_LABELS = {
    MATCH_AUTO: "rapproché automatiquement",
    MATCH_ACCEPTED: "validé",
    MATCH_TO_REVIEW: "à vérifier",
    MATCH_REJECTED: "rejeté",
    MATCH_NOT_COLLECTIVITE: "pas une collectivité",
    MATCH_UNMATCHED: "non rapproché",
}


RUN_STATUS_LABELS = {
    "running": "en cours",
    "success": "réussi",
    "partial": "réussi avec des erreurs",
    "failed": "échec",
}


def perimeter_q(territory: Territory, prefix: str = "") -> Q:
    """The territories lying inside an ATD's perimeter (the perimeter territory included).

    ``prefix`` lets the same rule filter a related model (``"territory__"``, ``"candidate__"``).
    """
    own = Q(**{f"{prefix}pk": territory.pk})
    if territory.kind == Kind.REGION:
        return own | Q(**{f"{prefix}region_code": territory.code})
    if territory.kind == Kind.DEPARTEMENT:
        return own | Q(**{f"{prefix}departement_code": territory.code})
    if territory.kind == Kind.EPCI:
        return own | Q(**{f"{prefix}epci_id": territory.pk})
    return own


def source_kinds() -> list[tuple[str, str]]:
    """The kinds of source, from the harvester registry: a new harvester module needs no migration."""
    return list(kinds().items())


class HarvestSourceQuerySet(models.QuerySet["HarvestSource"]):
    def visible_to(self, user: Any) -> "HarvestSourceQuerySet":
        """National sources are visible to every signed-in user; an ATD's only to its members."""
        if user.is_staff:
            return self
        member = AtdMember.objects.filter(user=user).first()
        if member is None:
            return self.filter(owner=None)
        return self.filter(Q(owner=None) | Q(owner=member.territory))

    def managed_by(self, user: Any) -> "HarvestSourceQuerySet":
        """Sources this user may run, edit or delete: all for staff, its ATD's for an ATD member."""
        if user.is_staff:
            return self
        member = AtdMember.objects.filter(user=user).first()
        if member is None:
            return self.none()
        return self.filter(owner=member.territory)


SCHEDULE_DAYS = {"daily": 1, "weekly": 7, "monthly": 30}


class HarvestSource(models.Model):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField(max_length=20, choices=source_kinds)
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = HarvestSourceQuerySet.as_manager()

    class Meta:
        db_table = "observatory_harvestsource"
        ordering = ["name"]
        verbose_name = "source de moissonnage"

    def __str__(self) -> str:
        return self.name

    def is_due(self, now: Any) -> bool:
        """True when the schedule asks for a new harvest (never harvested, or the period has passed)."""
        days = SCHEDULE_DAYS.get(self.schedule)
        if not self.active or days is None:
            return False
        last = self.runs.exclude(status="failed").order_by("-started_at").first()
        # A little slack so that a weekly cron at the same hour does not skip a week.
        return last is None or (now - last.started_at).total_seconds() >= days * 86400 - 3600


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
    trigger = models.CharField(max_length=20, default="cli", help_text="cli, web, celery, schedule")
    pages = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "observatory_harvestrun"
        ordering = ["-started_at"]

    @property
    def status_label(self) -> str:
        return RUN_STATUS_LABELS.get(self.status, self.status)

    @property
    def duration(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class PublisherQuerySet(models.QuerySet["Publisher"]):
    def confirmed(self) -> "PublisherQuerySet":
        return self.filter(territory__isnull=False, match_status__in=CONFIRMED_STATUSES)

    def to_review(self) -> "PublisherQuerySet":
        return self.filter(match_status=MATCH_TO_REVIEW)

    def visible_to(self, user: Any) -> "PublisherQuerySet":
        """Staff see every publisher; an ATD member those matched, proposed or harvested in its perimeter."""
        if user.is_staff:
            return self
        member = AtdMember.objects.filter(user=user).first()
        if member is None:
            return self.none()
        return self.filter(
            perimeter_q(member.territory, "territory__")
            | perimeter_q(member.territory, "candidate__")
            | Q(source__owner=member.territory)
        )


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
    candidate = models.ForeignKey(
        Territory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate_publishers",
        help_text="collectivité proposée quand le rapprochement est à vérifier",
    )
    match_note = models.CharField(max_length=300, blank=True, help_text="pourquoi ce rapprochement")
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)

    objects = PublisherQuerySet.as_manager()

    class Meta:
        db_table = "observatory_publisher"
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="publisher_source_remote_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def status_label(self) -> str:
        return MATCH_STATUS_LABELS.get(self.match_status, self.match_status)


class HarvestedDatasetQuerySet(models.QuerySet["HarvestedDataset"]):
    def current(self) -> "HarvestedDatasetQuerySet":
        """Still published at the source (not archived)."""
        return self.filter(archived_at__isnull=True)

    def confirmed(self) -> "HarvestedDatasetQuerySet":
        """Not a duplicate, published by a confirmed collectivité; archived ones included."""
        return self.filter(
            duplicate_of__isnull=True,
            publisher__territory__isnull=False,
            publisher__match_status__in=CONFIRMED_STATUSES,
        )

    def counted(self) -> "HarvestedDatasetQuerySet":
        """What the indicators count: current, not a duplicate, published by a confirmed collectivité."""
        return self.current().confirmed()


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
    title_key = models.CharField(
        max_length=300, blank=True, db_index=True, help_text="titre et éditeur normalisés (dédoublonnage)"
    )
    content_hash = models.CharField(max_length=32, blank=True, editable=False)
    scdl_validation = models.JSONField(
        default=list,
        blank=True,
        help_text="contrôle des ressources SCDL par le validateur de la plateforme, une entrée par ressource",
    )
    scdl_checked_hash = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="empreinte du jeu quand ses ressources ont été contrôlées",
    )

    objects = HarvestedDatasetQuerySet.as_manager()

    class Meta:
        db_table = "observatory_harvesteddataset"
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="dataset_source_remote_unique")
        ]

    def __str__(self) -> str:
        return self.title
