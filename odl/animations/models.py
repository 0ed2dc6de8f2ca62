"""The animation planner: formats and their fiches, events, their retroplanning, outputs and follow-up.

- ``Format``: one animation format (hackathon, cartopartie…) and its fiche, with a retroplanning
  template (tasks with offsets in days relative to the event); default fiches come from a data
  migration (``odl/animations/fiches.py``), the coordinator edits them in the admin;
- ``Event``: one animation organised by an ATD, with its ETDs, datasets used, participants
  (``Participant``, named only with consent), its checklist (``Task``) and its outputs (``Output``);
- ``FollowUp`` and ``ProjectStatus``: 1, 3 and 6 months after an event, what became of each project;
- ``CollectedPoint``: a point added by a participant of a cartopartie, reviewed by the organiser.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from odl.atds.models import Atd
from odl.harvest.models import HarvestedDataset
from odl.programme.models import Etd
from odl.territories.models import Territory

User = settings.AUTH_USER_MODEL
CARTOPARTIE = "cartopartie"
# A retroplanning task may sit up to a year before or after the event.
MAX_OFFSET_DAYS = 365


def validate_retroplanning(value: Any) -> None:
    """A list of ``{"offset": int, "task": str}``; a clear French message names the faulty line."""
    if not isinstance(value, list):
        raise ValidationError("Le retroplanning doit être une liste de tâches.")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not str(item.get("task", "")).strip():
            raise ValidationError(f"Tâche n° {index} : le libellé (« task ») manque.")
        offset = item.get("offset")
        if not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > MAX_OFFSET_DAYS:
            raise ValidationError(
                f"Tâche n° {index} : le décalage (« offset ») doit être un nombre entier de jours "
                f"entre -{MAX_OFFSET_DAYS} et {MAX_OFFSET_DAYS}."
            )


class Format(models.Model):
    """An animation format and its fiche. The slug is stable: the questionnaire recommends by slug."""

    slug = models.SlugField("identifiant stable", max_length=60, unique=True)
    name = models.CharField("nom", max_length=120)
    what = models.TextField("de quoi s'agit-il ?")
    aims = models.TextField("objectifs", blank=True)
    publics = models.TextField("publics", blank=True)
    participants_min = models.PositiveIntegerField("participants (minimum)", null=True, blank=True)
    participants_max = models.PositiveIntegerField("participants (maximum)", null=True, blank=True)
    preparation = models.TextField("préparation", blank=True)
    duration = models.CharField("durée", max_length=300, blank=True)
    produces = models.TextField("ce que cela produit", blank=True)
    follow_up = models.TextField("suivi", blank=True)
    prerequisites = models.TextField("prérequis de maturité", blank=True)
    retroplanning = models.JSONField(
        "retroplanning",
        default=list,
        blank=True,
        validators=[validate_retroplanning],
        help_text=(
            'liste de tâches {"offset": jours, "task": "libellé"} : un décalage négatif ou nul compte '
            "depuis le premier jour de l'événement, un décalage positif depuis son dernier jour"
        ),
    )
    position = models.PositiveIntegerField("ordre", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "format d'animation"
        verbose_name_plural = "formats d'animation"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("animations:format", args=[self.slug])

    @property
    def participants_label(self) -> str:
        low, high = self.participants_min, self.participants_max
        if low and high:
            return f"de {low} à {high}"
        if low:
            return f"au moins {low}"
        if high:
            return f"jusqu'à {high}"
        return "non précisé"

    @property
    def is_cartopartie(self) -> bool:
        return self.slug == CARTOPARTIE


class EventQuerySet(models.QuerySet["Event"]):
    def of_atd(self, atd: Atd) -> EventQuerySet:
        return self.filter(atd=atd)

    def between(self, first: Any, last: Any) -> EventQuerySet:
        """Events with at least one day between ``first`` and ``last`` (dates, inclusive)."""
        return self.filter(starts_on__lte=last, ends_on__gte=first)

    def for_calendar(self) -> EventQuerySet:
        return self.select_related("format", "atd").order_by("starts_on", "title", "pk")

    def ended_before(self, day: Any) -> EventQuerySet:
        return self.filter(ends_on__lt=day)


def new_collect_token() -> str:
    return secrets.token_urlsafe(18)


class Event(models.Model):
    """One animation, organised by an ATD."""

    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="events", verbose_name="format")
    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="animation_events")
    title = models.CharField("titre", max_length=200)
    starts_on = models.DateField("premier jour")
    ends_on = models.DateField("dernier jour")
    place = models.CharField("lieu", max_length=300, blank=True)
    commune = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="commune"
    )
    description = models.TextField("présentation", blank=True)
    etds = models.ManyToManyField(
        Etd, blank=True, related_name="animation_events", verbose_name="ETD associés"
    )
    datasets = models.ManyToManyField(
        HarvestedDataset, blank=True, related_name="animation_events", verbose_name="jeux de données utilisés"
    )
    participants_count = models.PositiveIntegerField("nombre de participants", null=True, blank=True)
    organiser = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="organisateur"
    )
    # The collection area of a cartopartie (WGS 84); a point outside is refused.
    south = models.FloatField("latitude sud", null=True, blank=True)
    west = models.FloatField("longitude ouest", null=True, blank=True)
    north = models.FloatField("latitude nord", null=True, blank=True)
    east = models.FloatField("longitude est", null=True, blank=True)
    collect_schema = models.CharField(
        "schéma SCDL des points", max_length=60, blank=True, default="equipements"
    )
    collect_token = models.CharField(max_length=40, unique=True, default=new_collect_token, editable=False)
    demo = models.BooleanField("démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sequence = models.PositiveIntegerField(default=0, help_text="révision iCal")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        indexes = [models.Index(fields=["starts_on", "ends_on"]), models.Index(fields=["atd", "starts_on"])]
        verbose_name = "événement d'animation"
        verbose_name_plural = "événements d'animation"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("animations:event", args=[self.atd.slug, self.pk])

    def get_public_url(self) -> str:
        return reverse("animations:event_public", args=[self.pk])

    @property
    def display_title(self) -> str:
        return f"[Démo] {self.title}" if self.demo and not self.title.startswith("[Démo]") else self.title

    @property
    def has_area(self) -> bool:
        return None not in (self.south, self.west, self.north, self.east)


class Participant(models.Model):
    """A participant named on the event; stored only when the person consented to it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField("nom", max_length=200)
    organisation = models.CharField("structure", max_length=200, blank=True)
    consent_at = models.DateTimeField("consentement donné le", default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "participant nommé"


class Task(models.Model):
    """One line of an event's retroplanning checklist."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField("tâche", max_length=300)
    offset_days = models.IntegerField("décalage (jours)", default=0)
    due_on = models.DateField("échéance")
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="responsable"
    )
    done = models.BooleanField("fait", default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "tâche du retroplanning"


class OutputKind(models.TextChoices):
    PROJET = "projet", "Projet"
    PROTOTYPE = "prototype", "Prototype"
    REUTILISATION = "reutilisation", "Réutilisation"
    JEU_OUVERT = "jeu_ouvert", "Jeu de données ouvert"


# The outputs whose fate the follow-up asks about; an opened dataset is counted apart.
PROJECT_KINDS = (OutputKind.PROJET, OutputKind.PROTOTYPE, OutputKind.REUTILISATION)


class Output(models.Model):
    """What an event produced: a project, a prototype, a reuse, a dataset opened because of it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField("nature", max_length=20, choices=OutputKind.choices)
    title = models.CharField("intitulé", max_length=300)
    url = models.URLField("adresse", max_length=500, blank=True)
    dataset = models.ForeignKey(
        HarvestedDataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = "production"

    def __str__(self) -> str:
        return self.title

    @property
    def is_project(self) -> bool:
        return self.kind in PROJECT_KINDS


# Months after the event's last day at which the organiser is asked what became of the projects.
MILESTONES = (1, 3, 6)


class FollowUp(models.Model):
    """One of the three follow-ups of an event; ``reminded_at`` is set once, when the e-mail is claimed."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="followups")
    months = models.PositiveSmallIntegerField("mois après l'événement")
    due_on = models.DateField("à renseigner à partir du")
    reminded_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    answered_at = models.DateTimeField("renseigné le", null=True, blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "months"]
        constraints = [models.UniqueConstraint(fields=["event", "months"], name="followup_event_months")]
        verbose_name = "suivi à distance"

    def get_absolute_url(self) -> str:
        return reverse("animations:followup", args=[self.event.atd.slug, self.event_id, self.months])


class ProjectFate(models.TextChoices):
    VIVANT = "vivant", "Vivant"
    PUBLIE = "publie", "Publié"
    ABANDONNE = "abandonne", "Abandonné"


# The fates that count as "still there" in the survival rate.
ALIVE = (ProjectFate.VIVANT, ProjectFate.PUBLIE)


class ProjectStatus(models.Model):
    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="statuses")
    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="statuses")
    fate = models.CharField("devenir", max_length=20, choices=ProjectFate.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["followup", "output"], name="status_followup_output")]


class PointStatus(models.TextChoices):
    PENDING = "pending", "À examiner"
    ACCEPTED = "accepted", "Accepté"
    REJECTED = "rejected", "Refusé"


class CollectedPoint(models.Model):
    """A point added during a cartopartie; ``client_id`` makes a re-sent offline point count once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="points")
    client_id = models.CharField(max_length=64)
    name = models.CharField("nom", max_length=200)
    lat = models.FloatField("latitude")
    lon = models.FloatField("longitude")
    attributes = models.JSONField(default=dict, blank=True)
    contributor = models.CharField("contributeur", max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=PointStatus.choices, default=PointStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "client_id"], name="point_event_client")]
        verbose_name = "point collecté"
