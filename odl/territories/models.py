"""The référentiel of collectivités: communes, EPCI, départements, régions, and the bodies around them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Kind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI à fiscalité propre"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    # Not collectivités in their own right: searchable, shown under their commune or métropole.
    COMMUNE_DELEGUEE = "commune_deleguee", "Commune déléguée"
    COMMUNE_ASSOCIEE = "commune_associee", "Commune associée"
    ARRONDISSEMENT = "arrondissement_municipal", "Arrondissement municipal"
    EPT = "ept", "Établissement public territorial"


COLLECTIVITE_KINDS = [Kind.COMMUNE, Kind.EPCI, Kind.DEPARTEMENT, Kind.REGION]

EPCI_NATURES = {
    "CC": "Communauté de communes",
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
    "METRO": "Métropole",
    "MET69": "Métropole de Lyon",
    "EPT": "Établissement public territorial",
}


class Zone(models.TextChoices):
    METRO = "metro", "Métropole"
    DROM = "drom", "Département ou région d'outre-mer"
    COM = "com", "Collectivité d'outre-mer"


class ReferentielLoad(models.Model):
    """One load of the référentiel: which package version, which millésimes, what changed."""

    source = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    cog_year = models.PositiveIntegerField("millésime du COG")
    population_millesime = models.PositiveIntegerField("millésime des populations")
    loaded_at = models.DateTimeField(auto_now_add=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = "chargement du référentiel"

    def __str__(self) -> str:
        return f"{self.source} {self.version} (COG {self.cog_year})"


class TerritoryQuerySet(models.QuerySet["Territory"]):
    def active(self) -> "TerritoryQuerySet":
        return self.filter(active=True)

    def collectivites(self) -> "TerritoryQuerySet":
        return self.active().filter(kind__in=COLLECTIVITE_KINDS)

    def search(self, query: str) -> "TerritoryQuerySet":
        from odl.core.identifiers import clean_number
        from odl.core.text import fold

        query = (query or "").strip()
        if not query:
            return self
        digits = clean_number(query)
        condition = Q(search_text__contains=fold(query))
        if digits.isdigit() or query.upper().startswith("2A") or query.upper().startswith("2B"):
            condition |= Q(code=query.upper()) | Q(siren=digits)
            if len(digits) == 5:
                condition |= Q(codes_postaux__contains=digits)
        return self.filter(condition)


class Territory(models.Model):
    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    code = models.CharField(
        max_length=12, help_text="code INSEE (commune), code COG (département, région) ou SIREN (EPCI)"
    )
    siren = models.CharField(max_length=9, blank=True, db_index=True)
    nom = models.CharField(max_length=200)
    nature = models.CharField(max_length=10, blank=True, help_text="CC, CA, CU, METRO, MET69, EPT")
    zone = models.CharField(max_length=5, choices=Zone.choices, default=Zone.METRO)
    population = models.PositiveIntegerField(null=True, blank=True, help_text="population municipale")
    population_millesime = models.PositiveIntegerField(null=True, blank=True)
    departement_code = models.CharField(max_length=3, blank=True, db_index=True)
    region_code = models.CharField(max_length=3, blank=True, db_index=True)
    codes_postaux = models.CharField(max_length=400, blank=True)
    epci = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="member_communes"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="commune de rattachement d'une commune déléguée, associée ou d'un arrondissement",
    )
    agents = models.PositiveIntegerField("effectif (agents)", null=True, blank=True)
    agents_year = models.PositiveIntegerField(null=True, blank=True)
    agents_source = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True, help_text="statut particulier, expliqué à l'utilisateur")
    exercised_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="collectivité qui exerce ses compétences (ex. la Collectivité de Corse pour 2A et 2B)",
    )
    search_text = models.TextField(blank=True, editable=False)
    active = models.BooleanField(default=True, help_text="faux quand le référentiel ne la contient plus")
    row_hash = models.CharField(max_length=32, blank=True, editable=False)
    referentiel = models.ForeignKey(ReferentielLoad, null=True, blank=True, on_delete=models.SET_NULL)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "collectivité ou territoire"
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="territory_kind_code_unique")]
        indexes = [models.Index(fields=["kind", "population"]), models.Index(fields=["active", "kind"])]
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.get_kind_display()} {self.code})"

    def get_absolute_url(self) -> str:
        return reverse("territories:detail", args=[self.kind, self.code])

    @property
    def is_collectivite(self) -> bool:
        return self.kind in COLLECTIVITE_KINDS

    @property
    def kind_label(self) -> str:
        if self.kind == Kind.EPCI and self.nature:
            return EPCI_NATURES.get(self.nature, self.get_kind_display())
        return str(self.get_kind_display())


class AgentCount(models.Model):
    """Each imported agent count is kept; the latest one is copied onto the territory."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="agent_counts")
    effectif = models.PositiveIntegerField()
    annee = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-annee", "-imported_at"]


class Perimeter(models.Model):
    """A saved selection: régions, départements, EPCI and the filters an ATD works with."""

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    query = models.CharField(max_length=2000, help_text="paramètres de la page de ciblage")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="perimeters")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "périmètre"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:perimeter", args=[self.slug])


class AtdMember(models.Model):
    """Binds a user to the perimeter of the ATD they work for.

    Staff users are national coordinators and see everything; an ATD member sees and reviews only the
    sources its ATD owns and the publishers matched (or proposed) inside its perimeter.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="atd_member")
    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="atd_members", help_text="périmètre de l'ATD"
    )
    atd_name = models.CharField("nom de l'ATD", max_length=200, blank=True)

    class Meta:
        # Born in the observatory app; the table keeps its name so upgraded platforms keep every membership.
        db_table = "observatory_atdmember"
        verbose_name = "membre d'un ATD"

    def __str__(self) -> str:
        return f"{self.user} ({self.atd_name or self.territory.nom})"
