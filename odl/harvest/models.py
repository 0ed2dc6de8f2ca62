"""Harvest sources, runs, the publishers found there and the datasets they publish.

These models were born in the observatory app: their tables keep the ``observatory_`` names so that a
platform upgraded from then keeps every row (see migration 0001).
"""

import enum
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from odl.atds.models import scope_of
from odl.harvest.harvesters.base import kinds
from odl.harvest.secrets import EncryptedSecretField, join_secrets, redact, split_secrets
from odl.territories.models import Area, Territory


class MatchStatus(models.TextChoices):
    """Where a publisher stands with the référentiel. Only CONFIRMED ones count a collectivité as "open"."""

    AUTO = "auto", "rapproché automatiquement"
    ACCEPTED = "accepted", "validé"
    TO_REVIEW = "to_review", "à vérifier"
    REJECTED = "rejected", "rejeté"
    NOT_COLLECTIVITE = "not_collectivite", "pas une collectivité"
    UNMATCHED = "unmatched", "non rapproché"


CONFIRMED_STATUSES = (MatchStatus.AUTO, MatchStatus.ACCEPTED)
# A person decided these: no later harvest may overwrite them.
MANUAL_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.REJECTED, MatchStatus.NOT_COLLECTIVITE)


class Decision(models.TextChoices):
    """What a person decides about a publisher (:meth:`Publisher.decide`)."""

    ACCEPT = "accept", "valider la proposition"
    REJECT = "reject", "rejeter"
    REASSIGN = "reassign", "rattacher à une autre collectivité"
    NOT_COLLECTIVITE = "not_collectivite", "pas une collectivité"
    ON_BEHALF = "on_behalf", "publie pour le compte de"
    # A mapping row may also send a publisher back to review or leave it unmatched.
    TO_REVIEW = "to_review", "remettre à vérifier"
    UNMATCHED = "unmatched", "laisser non rapproché"


# What the review queue offers; the other decisions come from mapping rows only.
REVIEW_DECISIONS = (
    Decision.ACCEPT,
    Decision.REJECT,
    Decision.REASSIGN,
    Decision.NOT_COLLECTIVITE,
    Decision.ON_BEHALF,
)
# The status each decision that names no collectivité leaves.
_STATUS_WITHOUT_TERRITORY = {
    Decision.REJECT: MatchStatus.REJECTED,
    Decision.NOT_COLLECTIVITE: MatchStatus.NOT_COLLECTIVITE,
    Decision.TO_REVIEW: MatchStatus.TO_REVIEW,
    Decision.UNMATCHED: MatchStatus.UNMATCHED,
}


class DecisionError(ValueError):
    """A decision that cannot be taken; the message is French and shown to users as is."""


class TerritoryRequired(DecisionError):
    """The decision names no collectivité where it needs one."""


class Keep(enum.Enum):
    """``on_behalf_of=Keep.CURRENT``: the decision leaves "published on behalf of" as it is."""

    CURRENT = "current"


def parse_decision(value: str, among: Iterable[Decision] = tuple(Decision)) -> Decision:
    """The decision named ``value`` when it is one of ``among``; a French DecisionError otherwise."""
    if value in [str(d) for d in among]:
        return Decision(value)
    raise DecisionError(f"décision inconnue : « {value} »")


RUN_STATUS_LABELS = {
    "running": "en cours",
    "success": "réussi",
    "partial": "réussi avec des erreurs",
    "failed": "échec",
}


def source_kinds() -> list[tuple[str, str]]:
    """The kinds of source, from the harvester registry: a new harvester module needs no migration."""
    return list(kinds().items())


class HarvestSourceQuerySet(models.QuerySet["HarvestSource"]):
    def visible_to(self, user: Any) -> "HarvestSourceQuerySet":
        """National sources are visible to every signed-in user; an ATD's only to its members."""
        if user.is_staff:
            return self
        scope = scope_of(user)
        if scope is None:
            return self.filter(owner=None)
        return self.filter(Q(owner=None) | Q(owner__in=scope.owners))

    def managed_by(self, user: Any) -> "HarvestSourceQuerySet":
        """Sources this user may run, edit or delete: all for staff, its ATD's for an ATD member."""
        if user.is_staff:
            return self
        scope = scope_of(user)
        if scope is None:
            return self.none()
        return self.filter(owner__in=scope.owners)


# Why a dataset no longer counts (HarvestedDataset.archived_reason).
ARCHIVED_VANISHED = "disparu de la source"
ARCHIVED_SOURCE_INACTIVE = "source désactivée"

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
    # Identifiers and API keys taken out of ``url`` (odl.harvest.secrets): encrypted, never shown.
    secret = EncryptedSecretField(
        "identifiants",
        blank=True,
        default=dict,
        editable=False,
        help_text="identifiants et clés d'API retirés de l'adresse, chiffrés",
    )
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever path declared it (form, command, admin), credentials never stay in the public URL.
        public, found = split_secrets(self.url)
        if found:
            merged = {**(self.secret or {}), **found}
            self.url, self.secret = public, merged
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "url", "secret"}
        fields = kwargs.get("update_fields")
        was_active = (
            HarvestSource.objects.filter(pk=self.pk).values_list("active", flat=True).first()
            if self.pk is not None and (fields is None or "active" in fields)
            else None
        )
        super().save(*args, **kwargs)
        if was_active is not None and was_active != self.active:
            self._follow_activation()

    def _follow_activation(self) -> None:
        """Whatever path (de)activated the source, its datasets follow: a deactivated source's
        datasets stop counting (archived, kept) and come back when it is reactivated."""
        datasets = HarvestedDataset.objects.filter(source=self)
        if self.active:
            datasets.filter(archived_reason=ARCHIVED_SOURCE_INACTIVE).update(
                archived_at=None, archived_reason=""
            )
        else:
            datasets.filter(archived_at__isnull=True).update(
                archived_at=timezone.now(), archived_reason=ARCHIVED_SOURCE_INACTIVE
            )
        # Copies that pointed at this source's datasets (or that they pointed at) find their new
        # canonical record now, not at the next harvest.
        from odl.harvest.harvesters.runner import deduplicate  # runner imports this module

        deduplicate()

    @property
    def harvest_url(self) -> str:
        """The address the harvester fetches, credentials included: never to be shown."""
        return join_secrets(self.url, self.secret)

    def redact(self, text: str) -> str:
        """``text`` with every credential of this source masked (run messages, errors)."""
        return redact(text, self.secret)

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
    worker = models.CharField(
        max_length=200, blank=True, help_text="processus qui moissonne (hôte:pid:démarrage)"
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="dernier signe de vie du moissonnage en cours"
    )
    held_back = models.TextField(
        "archivage retenu",
        blank=True,
        help_text="pourquoi ce passage n'a rien archivé (moins de jeux lus qu'annoncé ou qu'au passage précédent)",
    )

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
        return self.filter(match_status=MatchStatus.TO_REVIEW)

    def visible_to(self, user: Any) -> "PublisherQuerySet":
        """Staff see every publisher; an ATD member those matched, proposed or harvested in its perimeter."""
        if user.is_staff:
            return self
        scope = scope_of(user)
        if scope is None:
            return self.none()
        area = scope.area
        return self.filter(area.q("territory__") | area.q("candidate__") | Q(source__owner__in=scope.owners))


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
    match_status = models.CharField(max_length=20, default=MatchStatus.UNMATCHED)
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
        known = self.match_status in MatchStatus.values
        return MatchStatus(self.match_status).label if known else self.match_status

    def decide(
        self,
        action: Decision | str,
        *,
        by: Any,
        territory: Territory | None = None,
        on_behalf_of: Territory | None | Keep = Keep.CURRENT,
        perimeter: Area | None = None,
        note: str | None = None,
        method: str = "manuel",
        record_unchanged: bool = True,
    ) -> bool:
        """Record a person's decision; later harvests keep it (``matching.is_manual``).

        ``by`` is the user deciding (None from the command line). ``territory`` is the collectivité that
        ACCEPT (else the proposal, else the current one) or REASSIGN (required) confirms; the decisions
        that leave no collectivité ignore it. ON_BEHALF needs ``on_behalf_of``; any decision may set it
        (a mapping row does). With ``perimeter`` (the area of the deciding ATD member), a collectivité outside it is
        refused. A refused decision raises :class:`DecisionError` and changes nothing.

        Returns whether the match (collectivité, status, on behalf of) changed. A decision that changes
        nothing is still recorded (who, when, how) unless ``record_unchanged`` is False.
        """
        target, status, behalf = self.decision_outcome(
            action, territory=territory, on_behalf_of=on_behalf_of, perimeter=perimeter
        )
        before = (self.territory_id, self.match_status, self.on_behalf_of_id)
        changed = before != (target.pk if target else None, status, behalf.pk if behalf else None)
        if not changed and not record_unchanged:
            return False
        self.territory, self.match_status, self.on_behalf_of = target, status, behalf
        self.match_method = method
        self.decided_by = by
        self.decided_at = timezone.now()
        if note is not None:
            self.match_note = note[:300]
        self.save()
        return changed

    def decision_outcome(
        self,
        action: Decision | str,
        *,
        territory: Territory | None = None,
        on_behalf_of: Territory | None | Keep = Keep.CURRENT,
        perimeter: Area | None = None,
    ) -> tuple[Territory | None, str, Territory | None]:
        """What :meth:`decide` would leave (collectivité, status, on behalf of), or its DecisionError."""
        decision = parse_decision(str(action))
        # An ATD decides only on what the matcher put in its perimeter: a proposal (even a stale one)
        # outside it is the coordinators' to settle, whatever the decision.
        self._check_inside(
            perimeter,
            [t for t in (self.candidate, self.territory) if t is not None],
            reason="la proposition actuelle ({nom}) est hors du périmètre de votre ATD : "
            "la coordination nationale en décide",
        )
        given_behalf = None if isinstance(on_behalf_of, Keep) else on_behalf_of
        behalf = self.on_behalf_of if isinstance(on_behalf_of, Keep) else given_behalf
        # Whatever the decision names is checked first, even when the decision then ignores it.
        self._check_inside(perimeter, [t for t in (territory, given_behalf) if t is not None])
        if decision == Decision.ACCEPT:
            target = territory or self.candidate or self.territory
            if target is None:
                raise TerritoryRequired("aucune collectivité proposée : utilisez « rattacher »")
            if target != territory:
                self._check_inside(perimeter, [target])
            return target, MatchStatus.ACCEPTED, behalf
        if decision == Decision.REASSIGN:
            if territory is None:
                raise TerritoryRequired(f"« {decision.label} » demande une collectivité")
            return territory, MatchStatus.ACCEPTED, behalf
        if decision == Decision.ON_BEHALF:
            if given_behalf is None:
                raise TerritoryRequired(f"« {decision.label} » demande une collectivité")
            if self.match_status in (MatchStatus.ACCEPTED, MatchStatus.AUTO):
                return self.territory, self.match_status, behalf
            return None, MatchStatus.NOT_COLLECTIVITE, behalf
        return None, _STATUS_WITHOUT_TERRITORY[decision], behalf

    @staticmethod
    def _check_inside(
        perimeter: Area | None,
        territories: list[Territory],
        reason: str = "{nom} est hors du périmètre de votre ATD",
    ) -> None:
        for territory in territories:
            if (
                perimeter is not None
                and not Territory.objects.inside(perimeter).filter(pk=territory.pk).exists()
            ):
                raise DecisionError(reason.format(nom=territory.nom))


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
    archived_reason = models.CharField(
        "motif d'archivage", max_length=100, blank=True, help_text="disparu de la source, source désactivée…"
    )
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
