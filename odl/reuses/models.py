"""Reuses of the data and the national observatories a territory page links to.

- ``Reuse``: an application, map, visualisation, article, API… built on the data, with the harvested
  datasets it uses (a nullable generic link is kept for the datasets the platform will publish
  itself), the collectivités concerned and, when it came from one, the animation event. Reuses of the
  datasets the observatory knows are harvested from data.gouv.fr (``odl/reuses/harvest.py``):
  deduplicated by the remote id, never deleted when they vanish (``archived_at``). ATD staff add
  others and correct harvested ones by hand; a corrected reuse keeps its corrections when harvested
  again (``corrected_at``).
- ``NationalObservatory``: the list of national observatories (telecom coverage, the health
  crisis…) the coordinator edits; every territory page links to those that apply to its kind.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

from odl.animations.models import Event
from odl.atds.models import Atd
from odl.harvest.models import HarvestedDataset, HarvestSource
from odl.territories.models import Area, Territory

User = settings.AUTH_USER_MODEL
# Only web addresses: a javascript:, data: or file: link would run or read something in the visitor's
# browser, and an ftp: one is no page to show.
HTTP_URL = URLValidator(
    schemes=["http", "https"], message="Adresse invalide : seules les adresses http(s) sont acceptées."
)


class ReuseKind(models.TextChoices):
    APPLICATION = "application", "Application"
    CARTE = "carte", "Carte"
    VISUALISATION = "visualisation", "Visualisation"
    ARTICLE = "article", "Article"
    API = "api", "API"
    AUTRE = "autre", "Autre"


# data.gouv.fr's reuse types (udata ``REUSE_TYPES``) in ours; anything unknown is « autre ».
UDATA_KINDS = {
    "application": ReuseKind.APPLICATION,
    "visualization": ReuseKind.VISUALISATION,
    "news_article": ReuseKind.ARTICLE,
    "paper": ReuseKind.ARTICLE,
    "post": ReuseKind.ARTICLE,
    "api": ReuseKind.API,
    "idea": ReuseKind.AUTRE,
    "hardware": ReuseKind.AUTRE,
}

# The themes are data.gouv.fr's reuse topics (udata ``REUSE_TOPICS``), so harvested and hand-added
# reuses filter alike.
THEMES = [
    ("health", "Santé"),
    ("transport_and_mobility", "Transports et mobilité"),
    ("housing_and_development", "Logement et aménagement"),
    ("food_and_agriculture", "Alimentation et agriculture"),
    ("culture_and_recreation", "Culture et loisirs"),
    ("economy_and_business", "Économie et entreprises"),
    ("environment_and_energy", "Environnement et énergie"),
    ("work_and_training", "Travail et formation"),
    ("politics_and_public_life", "Politique et vie publique"),
    ("safety_and_security", "Sécurité"),
    ("education_and_research", "Éducation et recherche"),
    ("society_and_demography", "Société et démographie"),
    ("law_and_justice", "Droit et justice"),
    ("open_data_tools", "Outils pour les données ouvertes"),
    ("others", "Autres"),
]
THEME_LABELS = dict(THEMES)


class Origin(models.TextChoices):
    DATAGOUV = "datagouv", "data.gouv.fr"
    MANUAL = "manuel", "ajoutée par une équipe"


class ReuseQuerySet(models.QuerySet["Reuse"]):
    def current(self) -> ReuseQuerySet:
        return self.filter(archived_at__isnull=True)

    def for_gallery(self) -> ReuseQuerySet:
        return self.select_related("atd").order_by("-created_at", "-pk")

    def concerning(self, territory: Territory) -> ReuseQuerySet:
        """Reuses of this territory or of any territory inside it (the ciblage's perimeter rule)."""
        # The rule joins the link table to the territories (Area.q with a prefix): no list of thousands
        # of ids is built in Python and sent back (a région's perimeter is ~2,700 territories).
        links = Reuse.territories.through.objects.filter(Area.of(territory).q("territory__"))
        return self.filter(pk__in=links.values("reuse_id"))

    def of_dataset(self, dataset: HarvestedDataset) -> ReuseQuerySet:
        return self.filter(datasets=dataset)


def image_path(instance: Reuse, filename: str) -> str:
    # The stored name never comes from the uploader: only the checked format's extension.
    return f"reutilisations/{instance.pk or 'nouvelle'}-{filename}"


class Reuse(models.Model):
    title = models.CharField("titre", max_length=350)
    kind = models.CharField("type", max_length=20, choices=ReuseKind.choices, default=ReuseKind.APPLICATION)
    url = models.CharField("adresse", max_length=1000, validators=[HTTP_URL])
    author = models.CharField("auteur", max_length=300, blank=True)
    description = models.TextField("présentation", blank=True)
    theme = models.CharField("thème", max_length=40, choices=THEMES, blank=True)
    image = models.FileField("image", upload_to=image_path, blank=True)
    image_type = models.CharField(max_length=40, blank=True, editable=False, help_text="type MIME vérifié")
    image_source = models.CharField(
        max_length=1000, blank=True, editable=False, help_text="adresse de l'image distante déjà téléchargée"
    )
    datasets = models.ManyToManyField(
        HarvestedDataset, blank=True, related_name="reuses", verbose_name="jeux de données moissonnés"
    )
    # A dataset published on the platform itself, once the publishing app exists: a generic link so
    # that this app need not know that model today.
    published_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_id = models.PositiveBigIntegerField(null=True, blank=True)
    published = GenericForeignKey("published_type", "published_id")
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="reuses", verbose_name="collectivités concernées"
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reuses",
        verbose_name="événement d'animation",
    )
    atd = models.ForeignKey(
        Atd, null=True, blank=True, on_delete=models.SET_NULL, related_name="reuses", verbose_name="ATD"
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    remote_id = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    remote_page = models.CharField(max_length=1000, blank=True, editable=False)
    remote_created = models.DateTimeField(null=True, blank=True, editable=False)
    first_seen = models.DateTimeField(null=True, blank=True, editable=False)
    last_seen = models.DateTimeField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)
    corrected_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    demo = models.BooleanField("démonstration", default=False)

    objects = ReuseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["archived_at", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
            models.Index(fields=["theme", "created_at"]),
        ]
        verbose_name = "réutilisation"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reuses:detail", args=[self.pk])

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.theme, "")

    @property
    def image_url(self) -> str:
        return reverse("reuses:image", args=[self.pk]) if self.image else ""


class NationalObservatory(models.Model):
    """A national observatory the territory pages link to; the coordinator keeps the list."""

    class Scope(models.TextChoices):
        ALL = "", "toutes les collectivités"
        COMMUNE = "commune", "communes"
        EPCI = "epci", "EPCI"
        DEPARTEMENT = "departement", "départements"
        REGION = "region", "régions"

    name = models.CharField("nom", max_length=200)
    theme = models.CharField("thème", max_length=200, help_text="par exemple : couverture télécom")
    url = models.CharField("adresse", max_length=1000, validators=[HTTP_URL])
    description = models.TextField("ce qu'on y trouve", blank=True)
    scope = models.CharField(
        "pour les pages de", max_length=20, choices=Scope.choices, blank=True, default=Scope.ALL
    )
    position = models.PositiveIntegerField("ordre", default=0)
    active = models.BooleanField("affiché", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "observatoire national"
        verbose_name_plural = "observatoires nationaux"

    def __str__(self) -> str:
        return self.name


class SourcePass(models.Model):
    """When the reuses of a data.gouv.fr source were last read: after a harvest, only the sources
    harvested since are read again."""

    source = models.OneToOneField(HarvestSource, on_delete=models.CASCADE, related_name="+")
    passed_at = models.DateTimeField()

    class Meta:
        verbose_name = "passage des réutilisations d'une source"
