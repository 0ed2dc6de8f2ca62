"""Animateurs Territoriaux des Données: the bodies that accompany the collectivités of a perimeter.

An ATD is a département, a région, an intercommunalité, a shared IT syndicate, an association… Its
perimeter is made of régions, départements and EPCI (``areas``); what lies inside follows the one rule
of :class:`odl.territories.models.Area`. Its team are users with a role (admin or animateur). National
coordinators are staff users and belong to no ATD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from odl.territories.models import Area, Kind, Territory, TerritoryQuerySet


class AtdKind(models.TextChoices):
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    EPCI = "epci", "Intercommunalité"
    SYNDICAT = "syndicat", "Syndicat mixte informatique"
    ASSOCIATION = "association", "Association"
    AUTRE = "autre", "Autre structure publique"


class AtdRole(models.TextChoices):
    ADMIN = "admin", "Administrateur de l'ATD"
    ANIMATEUR = "animateur", "Animateur"


# The kinds of territory a perimeter is made of, as the ciblage offers them.
AREA_KINDS = (Kind.REGION, Kind.DEPARTEMENT, Kind.EPCI)


class AtdQuerySet(models.QuerySet["Atd"]):
    def of_user(self, user: Any) -> AtdQuerySet:
        """The ATDs this user belongs to (none for an anonymous visitor)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def administered_by(self, user: Any) -> AtdQuerySet:
        """The ATDs this user may edit: every one for a coordinator, its own as an ATD admin."""
        if getattr(user, "is_staff", False):
            return self
        return self.filter(memberships__user=user, memberships__role=AtdRole.ADMIN).distinct()

    def covering(self, territory: Territory) -> list[Atd]:
        """The ATDs whose perimeter holds this territory (few ATDs: one query each is fine)."""
        return [atd for atd in self.prefetch_related("areas") if atd.covers(territory)]


class Atd(models.Model):
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField("type de structure", max_length=20, choices=AtdKind.choices)
    structure = models.ForeignKey(
        Territory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="atds_structured",
        help_text="la collectivité qui porte l'ATD, quand elle est dans le référentiel",
    )
    structure_siren = models.CharField(
        "SIREN de la structure", max_length=9, blank=True, help_text="pour un syndicat, une association…"
    )
    areas = models.ManyToManyField(
        Territory,
        related_name="atds",
        blank=True,
        help_text="régions, départements et EPCI qui composent le périmètre",
    )
    offer_animation = models.BooleanField("animation", default=True)
    offer_formation = models.BooleanField("formation", default=False)
    offer_outils = models.BooleanField("outils", default=False)
    offer_portail = models.BooleanField("portail mutualisé", default=False)
    offer_text = models.TextField("précisions sur l'offre", blank=True)
    contact_name = models.CharField("contact", max_length=200, blank=True)
    contact_email = models.EmailField("courriel de contact", blank=True)
    contact_phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site web", blank=True)
    demo = models.BooleanField(
        "démonstration",
        default=False,
        help_text="créé par « odl load_demo » : affiché comme une démonstration",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AtdQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "ATD"
        verbose_name_plural = "ATD"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            base = slugify(self.name)[:200] or "atd"
            slug, n = base, 1
            while Atd.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                n += 1
                slug = f"{base}-{n}"
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("atds:detail", args=[self.slug])

    @property
    def offer_labels(self) -> list[str]:
        offer = [
            ("animation", self.offer_animation),
            ("formation", self.offer_formation),
            ("outils", self.offer_outils),
            ("portail mutualisé", self.offer_portail),
        ]
        return [label for label, offered in offer if offered]

    def area(self) -> Area:
        """The perimeter as the one rule reads it (régions, départements, EPCI; other kinds as themselves)."""
        return area_of(list(self.areas.all()))

    def territories_inside(self) -> TerritoryQuerySet:
        return Territory.objects.inside(self.area())

    def covers(self, territory: Territory) -> bool:
        return self.territories_inside().filter(pk=territory.pk).exists()

    def owner_territory(self) -> Territory | None:
        """The territory that stands for the ATD where a single one is needed (harvest source owner)."""
        if self.structure_id:
            return self.structure
        return self.areas.order_by("kind", "code").first()


# An Area with nothing in it means France to the rule; a perimeter with no territory yet means nothing.
NOWHERE = Area(territories=(0,))


def area_of(territories: list[Territory]) -> Area:
    if not territories:
        return NOWHERE
    return Area(
        regions=tuple(t.code for t in territories if t.kind == Kind.REGION),
        departements=tuple(t.code for t in territories if t.kind == Kind.DEPARTEMENT),
        epcis=tuple(t.code for t in territories if t.kind == Kind.EPCI),
        territories=tuple(t.pk for t in territories if t.kind not in AREA_KINDS),
    )


class AtdMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="atd_memberships"
    )
    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=AtdRole.choices, default=AtdRole.ANIMATEUR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "atd"], name="atd_membership_unique")]
        ordering = ["atd__name", "user__username"]
        verbose_name = "membre d'un ATD"

    def __str__(self) -> str:
        return f"{self.user} ({self.atd}, {self.get_role_display()})"


@dataclass(frozen=True)
class AtdScope:
    """What a signed-in ATD member may see and act on: the union of its ATDs' perimeters."""

    atds: tuple[Atd, ...]
    area: Area
    owners: tuple[int, ...] = field(default=())

    @property
    def territory(self) -> Territory | None:
        """The owner given to what this member declares (a harvest source): its first ATD's territory."""
        for atd in self.atds:
            owner = atd.owner_territory()
            if owner is not None:
                return owner
        return None

    def covers(self, territory: Territory) -> bool:
        return any(atd.covers(territory) for atd in self.atds)

    def territories_inside(self) -> TerritoryQuerySet:
        return Territory.objects.inside(self.area)


def scope_of(user: Any) -> AtdScope | None:
    """The ATD scope of a user, or None for a coordinator (sees everything) or a user of no ATD."""
    if not getattr(user, "is_authenticated", False):
        return None
    atds = tuple(Atd.objects.of_user(user).prefetch_related("areas").select_related("structure"))
    if not atds:
        return None
    territories = [t for atd in atds for t in atd.areas.all()]
    owners = {t.pk for t in territories} | {atd.structure_id for atd in atds if atd.structure_id}
    return AtdScope(atds=atds, area=area_of(territories), owners=tuple(sorted(owners)))
