"""Honest dashboards: a collectivité's (through its ETD) or an ATD's public page of charts, each chart
drawn from a dataset published here or a harvested resource the platform could read.

A chart is a measure (count, sum, mean or rate) of one source, broken down by a column; the honesty
rules of ``rules.py`` decide whether it may be drawn. A harvested resource is copied once as a CSV
(:class:`ResourceCopy`): the figures and the raw rows come from that copy, and a failed refresh keeps it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from odl.atds.models import Atd
from odl.harvest.models import HarvestedDataset
from odl.programme.models import Etd
from odl.publishing.models import Dataset

User = settings.AUTH_USER_MODEL


class Dashboard(models.Model):
    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="dashboards")
    # Set: the collectivité's dashboard (its agents and the ATD's team build it); empty: the ATD's own.
    etd = models.ForeignKey(Etd, null=True, blank=True, on_delete=models.CASCADE, related_name="dashboards")
    title = models.CharField("titre", max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    device = models.TextField(
        "le dispositif", blank=True, help_text="ce que fait la collectivité, pour qui, depuis quand"
    )
    results = models.TextField(
        "les résultats", blank=True, help_text="ce que montrent les chiffres, ce qu'ils ne montrent pas"
    )
    public = models.BooleanField("page publique", default=False)
    demo = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = "tableau de bord"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dashboards:public", args=[self.slug])

    def owner_label(self) -> str:
        return self.etd.territory.nom if self.etd_id and self.etd else self.atd.name

    def builder_url(self) -> str:
        if self.etd_id:
            return reverse("dashboards:etd_edit", args=[self.atd.slug, self.etd_id, self.pk])
        return reverse("dashboards:atd_edit", args=[self.atd.slug, self.pk])


class ResourceCopy(models.Model):
    """A harvested resource as the platform read it: a normalised CSV, its checksum and when it was read."""

    # The copy outlives its harvested dataset (a source deleted, a dataset gone): the chart keeps its figures.
    harvested = models.ForeignKey(
        HarvestedDataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dataset_title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to="dashboards/copies/")
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    header = models.JSONField(default=list)
    fetched_at = models.DateTimeField()

    class Meta:
        verbose_name = "copie d'une ressource moissonnée"


class Measure(models.TextChoices):
    COUNT = "count", "Nombre de lignes"
    SUM = "sum", "Somme d'une colonne"
    MEAN = "mean", "Moyenne d'une colonne"
    RATE = "rate", "Taux (numérateur / dénominateur)"


class Breakdown(models.TextChoices):
    CATEGORY = "category", "Catégorie (valeurs de la colonne)"
    YEAR = "year", "Année (lue dans une date)"


class Kind(models.TextChoices):
    BAR = "bar", "Barres"
    LINE = "line", "Courbe"
    AREA = "area", "Aire"
    TABLE = "table", "Tableau seul"


class Chart(models.Model):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="charts")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField("titre", max_length=200)
    # One of the two sources: a published dataset (its latest version is read) or a harvested copy. A source
    # deleted leaves the chart, which then says it has no source, rather than deleting it.
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    copy = models.ForeignKey(ResourceCopy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    measure = models.CharField("mesure", max_length=10, choices=Measure.choices, default=Measure.COUNT)
    value_column = models.CharField("colonne mesurée (ou numérateur)", max_length=200, blank=True)
    denominator_column = models.CharField("colonne du dénominateur", max_length=200, blank=True)
    breakdown_column = models.CharField("ventilation par", max_length=200)
    breakdown = models.CharField(
        "type de ventilation", max_length=10, choices=Breakdown.choices, default=Breakdown.CATEGORY
    )
    kind = models.CharField("type de graphique", max_length=10, choices=Kind.choices, default=Kind.BAR)
    y_min = models.DecimalField(
        "début de l'axe vertical", max_digits=18, decimal_places=4, null=True, blank=True
    )
    y_max = models.DecimalField(
        "fin de l'axe vertical", max_digits=18, decimal_places=4, null=True, blank=True
    )
    second_axis = models.BooleanField("second axe vertical", default=False)
    method = models.TextField(
        "méthode", help_text="comment les chiffres sont produits, en une ou deux phrases"
    )
    method_version = models.CharField("version de la méthode", max_length=40, default="1")
    method_column = models.CharField(
        "colonne de la méthode",
        max_length=200,
        blank=True,
        help_text="la colonne qui dit, ligne par ligne, la méthode de mesure : un changement coupe la série",
    )
    join_series = models.BooleanField("relier les points malgré un changement de méthode", default=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "graphique"

    def __str__(self) -> str:
        return self.title
