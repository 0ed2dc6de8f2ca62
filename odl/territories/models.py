"""The référentiel of collectivités: communes, EPCI, départements, régions, and the bodies around them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse

from odl.core import figures

if TYPE_CHECKING:
    from odl.territories.targeting import Criteria


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
# Located by their own région, département and EPCI codes (see Area).
LOCAL_KINDS = [k for k in Kind if k not in (Kind.REGION, Kind.DEPARTEMENT, Kind.EPCI)]

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


class Located(Protocol):
    """What locating a territory needs: a model instance or a row of values."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def code(self) -> str: ...


@dataclass(frozen=True)
class Area:
    """What a perimeter is made of (régions, départements, EPCI by SIREN), and what lies inside it.

    The one rule, shared by the ciblage, the observatory, ATD visibility and name matching (the SQL is
    :meth:`Area.q`, its in-memory twin :class:`odl.territories.perimeters.Places`):

    - a région lies inside when its code is one of ``regions``;
    - a département when its code is one of ``departements`` or its région is one of ``regions``;
    - an EPCI when its SIREN is one of ``epcis``, or when at least one of its active communes lies
      inside: an EPCI straddling two départements lies in both (its own ``departement_code``, that of
      its most populous commune, is not used);
    - a commune, and every other territory (commune déléguée or associée, arrondissement municipal,
      EPT), when its région is one of ``regions``, its département one of ``departements`` or its
      EPCI one of ``epcis``; déléguées and arrondissements carry their commune's codes but no EPCI of
      their own, so they lie in régions and départements, not in EPCI;
    - any territory whose id is in ``territories`` (a commune or an EPT as an ATD's perimeter: itself
      only).

    An empty area is France: everything lies inside. Whether a territory is active is not part of the
    rule; callers say ``active()`` or ``collectivites()``.
    """

    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    epcis: tuple[str, ...] = ()
    territories: tuple[int, ...] = ()
    keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Callers pass lists and querysets' values; hashing and equality want tuples.
        for name in ("regions", "departements", "epcis", "territories"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        keys = {f"R:{c}" for c in self.regions} | {f"D:{c}" for c in self.departements}
        object.__setattr__(self, "keys", frozenset(keys | {f"E:{c}" for c in self.epcis}))

    @classmethod
    def of(cls, territory: Located) -> Area:
        """The perimeter of one territory, as an ATD member's is: the territory and what lies in it."""
        if territory.kind == Kind.REGION:
            return cls(regions=(territory.code,))
        if territory.kind == Kind.DEPARTEMENT:
            return cls(departements=(territory.code,))
        if territory.kind == Kind.EPCI:
            return cls(epcis=(territory.code,))
        return cls(territories=(territory.id,))

    @property
    def everywhere(self) -> bool:
        return not (self.regions or self.departements or self.epcis or self.territories)

    def q(self, prefix: str = "") -> Q:
        """The rule as a filter; ``prefix`` filters a related model (``"territory__"``, ``"candidate__"``)."""
        if self.everywhere:
            return Q()

        def q(**lookups: Any) -> Q:
            return Q(**{prefix + name: value for name, value in lookups.items()})

        def any_of(*conditions: Q | None) -> Q:
            kept = [c for c in conditions if c is not None]
            return reduce(or_, kept) if kept else Q(pk__in=[])

        def by_codes(lookup: Callable[..., Q]) -> Q:
            return any_of(
                lookup(region_code__in=self.regions) if self.regions else None,
                lookup(departement_code__in=self.departements) if self.departements else None,
                lookup(epci__code__in=self.epcis) if self.epcis else None,
            )

        located = bool(self.regions or self.departements or self.epcis)
        communes = Territory.objects.filter(by_codes(Q), kind=Kind.COMMUNE, active=True).exclude(epci=None)
        return any_of(
            q(pk__in=self.territories) if self.territories else None,
            q(kind=Kind.REGION, code__in=self.regions) if self.regions else None,
            q(kind=Kind.DEPARTEMENT) & (q(code__in=self.departements) | q(region_code__in=self.regions))
            if self.regions or self.departements
            else None,
            q(kind=Kind.EPCI) & (q(code__in=self.epcis) | q(pk__in=communes.values("epci_id")))
            if located
            else None,
            q(kind__in=LOCAL_KINDS) & by_codes(q) if located else None,
        )


class TerritoryQuerySet(models.QuerySet["Territory"]):
    def active(self) -> TerritoryQuerySet:
        return self.filter(active=True)

    def collectivites(self) -> TerritoryQuerySet:
        return self.active().filter(kind__in=COLLECTIVITE_KINDS)

    def inside(
        self,
        area: Area | None = None,
        *,
        regions: Iterable[str] = (),
        departements: Iterable[str] = (),
        epcis: Iterable[str] = (),
    ) -> TerritoryQuerySet:
        """The territories inside an area, or inside the union of these régions, départements and EPCI
        (the rule: :class:`Area`)."""
        if area is None:
            area = Area(regions=tuple(regions), departements=tuple(departements), epcis=tuple(epcis))
        return self.filter(area.q())

    def inside_territory(self, territory: Territory) -> TerritoryQuerySet:
        """The territory and those inside it (an ATD member's perimeter)."""
        return self.inside(Area.of(territory))

    def search(self, query: str) -> TerritoryQuerySet:
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
    # Sirene's headcount band (INSEE code, « 22 » for 100 to 199), used by the rule without a count.
    agents_band = models.CharField("tranche d'effectif salarié (Sirene)", max_length=2, blank=True)
    agents_band_year = models.PositiveIntegerField(null=True, blank=True)
    agents_band_source = models.CharField(max_length=200, blank=True)
    # When Sirene was last asked (``odl import_agents --from-sirene`` resumes from there).
    agents_band_checked_at = models.DateTimeField(null=True, blank=True)
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

    def criteria(self) -> Criteria:
        """The ciblage criteria the saved query string stands for; CriteriaError when it is unusable."""
        from django.http import QueryDict

        # Imported here: targeting reads the référentiel models, so it cannot be imported at load time.
        from odl.territories.targeting import criteria_from_params

        return criteria_from_params(QueryDict(self.query))


def referentiel_version() -> str:
    """A token that changes whenever collectivités change (load, imports, Sirene, the admin): figures
    computed from the référentiel (ciblage, indicators, the map) are kept under it (odl/core/figures.py)."""
    return figures.version("territories")


def referentiel_changed() -> None:
    """Call after changing territories in bulk (``update``/``bulk_update`` send no signal).

    Bumped at once (readers in this transaction see the change) and again at commit (a value another
    process computed meanwhile from the old rows is never read)."""
    figures.bump("territories")


@receiver(post_save, sender=Territory)
@receiver(post_delete, sender=Territory)
def _territory_saved(**kwargs: Any) -> None:
    referentiel_changed()
