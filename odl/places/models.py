"""The places of data culture: Infolabs, tiers-lieux, médiathèques, lieux de médiation numérique.

A ``Place`` is imported from the national standard « lieux de médiation numérique » (a Table Schema
published on schema.data.gouv.fr, ``odl/places/importer.py``), its ``remote_id`` being the standard's
``id``, or added by an ATD's team. Every place has a commune of the référentiel and WGS 84
coordinates: an import line without them is reported, never stored half-done.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.urls import reverse

from odl.atds.models import Atd
from odl.territories.models import Area, Territory

HTTP_URL = URLValidator(
    schemes=["http", "https"], message="Adresse invalide : seules les adresses http(s) sont acceptées."
)


class PlaceKind(models.TextChoices):
    INFOLAB = "infolab", "Infolab"
    TIERS_LIEU = "tiers_lieu", "Tiers-lieu"
    MEDIATHEQUE = "mediatheque", "Médiathèque ou bibliothèque"
    MEDIATION = "mediation", "Lieu de médiation numérique"


class Origin(models.TextChoices):
    IMPORT = "import", "standard « lieux de médiation numérique »"
    MANUAL = "manuel", "ajouté par une équipe"


class PlaceQuerySet(models.QuerySet["Place"]):
    def inside(self, territory: Territory) -> PlaceQuerySet:
        """Places whose commune lies in this territory (the ciblage's perimeter rule)."""
        # The rule as a join on the commune (Area.q with a prefix): no list of a région's ~2,700 ids is
        # built in Python and sent back.
        return self.filter(Area.of(territory).q("commune__"))

    def for_directory(self) -> PlaceQuerySet:
        return self.select_related("commune").order_by("commune__nom", "name", "pk")


class Place(models.Model):
    name = models.CharField("nom", max_length=300)
    kind = models.CharField(
        "type de lieu", max_length=20, choices=PlaceKind.choices, default=PlaceKind.MEDIATION
    )
    address = models.CharField("adresse", max_length=500, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="places", verbose_name="commune"
    )
    latitude = models.FloatField("latitude", validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField("longitude", validators=[MinValueValidator(-180), MaxValueValidator(180)])
    website = models.CharField("site web", max_length=500, blank=True, validators=[HTTP_URL])
    phone = models.CharField("téléphone", max_length=40, blank=True)
    email = models.CharField("courriel", max_length=300, blank=True)
    hours = models.CharField("horaires", max_length=500, blank=True, help_text="format OpenStreetMap")
    description = models.TextField("présentation", blank=True)
    services = models.TextField("services", blank=True, help_text="séparés par des points-virgules")
    typologie = models.CharField("typologie (standard)", max_length=300, blank=True)
    source = models.CharField("structure ayant collecté la donnée", max_length=300, blank=True)
    updated_on = models.DateField("mise à jour (source)", null=True, blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    remote_id = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    imported_from = models.CharField(max_length=1000, blank=True, editable=False)
    atd = models.ForeignKey(Atd, null=True, blank=True, on_delete=models.SET_NULL, related_name="places")
    demo = models.BooleanField("démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind", "name"])]
        verbose_name = "lieu de culture de la donnée"
        verbose_name_plural = "lieux de culture de la donnée"

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.nom})" if self.commune_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("places:detail", args=[self.pk])
