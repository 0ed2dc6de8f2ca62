"""Data culture: the positioning questionnaire, its campaigns, answers and recommendation rules.

- ``Domain`` and ``Item``: the question bank (one national bank, edited in the admin or imported as
  CSV/YAML by ``odl culture_bank``). An item is either a self-positioning (``auto``: five
  behaviour-anchored options scored 0 to 4) or the domain's knowledge check (``verification``: one right
  answer). « Je ne sais pas » is offered on every item and is not one of its options;
- ``Campaign``: a questionnaire opened by an ATD (or by a collectivité it accompanies) with a public,
  unguessable link, a closing date, a consent text and a retention period;
- ``Response`` and ``Answer``: what one respondent said; the points of each answer are fixed when it is
  given, so later edits of the bank never change a stored answer or its score;
- ``Rule``: an editable recommendation (a document of the programme's space, a training, an animation
  format named by its slug) triggered by a domain score, for one respondent or for a collectivité.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from odl.atds.models import Atd
from odl.programme.models import Etd, Resource

User = settings.AUTH_USER_MODEL
AUTO_OPTIONS = 5  # self-positioning: options scored 0, 1, 2, 3, 4


class ItemKind(models.TextChoices):
    AUTO = "auto", "Auto-positionnement"
    VERIFICATION = "verification", "Question de vérification"


class DomainQuerySet(models.QuerySet["Domain"]):
    def with_active_items(self) -> DomainQuerySet:
        return self.filter(items__active=True).distinct().order_by("position", "code")


class Domain(models.Model):
    code = models.SlugField("code", max_length=50, unique=True)
    label = models.CharField("libellé", max_length=200)
    description = models.TextField("description", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    objects = DomainQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "domaine du questionnaire"
        verbose_name_plural = "domaines du questionnaire"

    def __str__(self) -> str:
        return self.label


class ItemQuerySet(models.QuerySet["Item"]):
    def active(self) -> ItemQuerySet:
        return self.filter(active=True)

    def in_bank_order(self) -> ItemQuerySet:
        return self.select_related("domain").order_by("domain__position", "domain__code", "position", "code")


class Item(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="items", verbose_name="domaine")
    code = models.SlugField("code", max_length=50, unique=True)
    kind = models.CharField("type", max_length=20, choices=ItemKind.choices, default=ItemKind.AUTO)
    text = models.CharField("question", max_length=500)
    options = models.JSONField(
        "réponses proposées",
        default=list,
        help_text="dans l'ordre ; pour un auto-positionnement, cinq réponses de 0 à 4 points",
    )
    correct_option = models.PositiveSmallIntegerField(
        "bonne réponse (rang, à partir de 0)", null=True, blank=True, help_text="pour une vérification"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    # An item that left the bank keeps its answers: it is retired, never deleted.
    active = models.BooleanField("actif", default=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["domain__position", "position", "code"]
        verbose_name = "question"

    def __str__(self) -> str:
        return f"{self.code} — {self.text}"

    def clean(self) -> None:
        problem = item_problem(self.kind, list(self.options or []), self.correct_option)
        if problem:
            raise ValidationError(problem)

    def points_for(self, choice: int | None) -> int | None:
        """Points of an answer: None for « je ne sais pas »; the option's rank for a self-positioning;
        4 for the right answer of a knowledge check and 0 for a wrong one."""
        if choice is None:
            return None
        if self.kind == ItemKind.VERIFICATION:
            return 4 if choice == self.correct_option else 0
        return choice


def item_problem(kind: str, options: list[Any], correct: int | None) -> str:
    """Why an item cannot be stored (French), or an empty string."""
    if kind not in ItemKind.values:
        return f"type « {kind} » inconnu : « auto » ou « verification »"
    if not all(isinstance(o, str) and o.strip() for o in options):
        return "chaque réponse proposée doit être un texte non vide"
    if kind == ItemKind.AUTO:
        if len(options) != AUTO_OPTIONS:
            return f"un auto-positionnement a cinq réponses (de 0 à 4 points), pas {len(options)}"
        if correct is not None:
            return "un auto-positionnement n'a pas de bonne réponse"
        return ""
    if not 2 <= len(options) <= 6:
        return f"une question de vérification a de deux à six réponses, pas {len(options)}"
    if correct is None or not 0 <= correct < len(options):
        return f"la bonne réponse doit être le rang d'une réponse proposée (de 0 à {len(options) - 1})"
    return ""


def new_campaign_token() -> str:
    return secrets.token_urlsafe(24)


DEFAULT_CONSENT = (
    "Vos réponses servent à proposer des actions de sensibilisation et de formation adaptées au niveau "
    "des agents. Elles sont conservées pendant la durée indiquée puis supprimées. L'ATD ne voit que des "
    "résultats agrégés par groupes d'au moins cinq personnes"
    " (et, pour une campagne nominative, vos propres scores avec votre nom). Vous pouvez demander l'accès à "
    "vos réponses ou leur suppression à l'ATD qui organise la campagne."
)


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def of_atd(self, atd: Atd) -> CampaignQuerySet:
        return self.filter(atd=atd).select_related("etd__territory").order_by("-created_at")

    def open_on(self, day: Any) -> CampaignQuerySet:
        """The campaigns still taking answers on ``day`` (their closing day included)."""
        return self.filter(closes_on__gte=day)

    def concerning(self, etd: Etd) -> CampaignQuerySet:
        """The campaigns an ETD's agents may have answered: its own and its ATD's open to every ETD."""
        return self.filter(atd=etd.atd).filter(models.Q(etd=etd) | models.Q(etd__isnull=True))


class Campaign(models.Model):
    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="culture_campaigns")
    etd = models.ForeignKey(
        Etd,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="culture_campaigns",
        verbose_name="collectivité",
        help_text="vide : les agents de toutes les collectivités accompagnées par l'ATD",
    )
    title = models.CharField("titre", max_length=200)
    token = models.CharField(max_length=64, unique=True, default=new_campaign_token, editable=False)
    anonymous = models.BooleanField(
        "anonyme", default=True, help_text="sans nom ni adresse ; décoché, chaque répondant donne son nom"
    )
    consent_text = models.TextField("texte de consentement", default=DEFAULT_CONSENT)
    retention_months = models.PositiveSmallIntegerField("durée de conservation (mois)", default=24)
    # How many answers ``odl purge`` removed at the end of their retention period: the figures page says
    # so, instead of a campaign that seems to have lost respondents.
    purged_responses = models.PositiveIntegerField(
        "réponses supprimées à échéance", default=0, editable=False
    )
    closes_on = models.DateField("date de clôture", help_text="dernier jour pour répondre")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "campagne du questionnaire"
        verbose_name_plural = "campagnes du questionnaire"

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return timezone.localdate() > self.closes_on


class RespondentRole(models.TextChoices):
    ELU = "elu", "Élu ou élue"
    ENCADRANT = "encadrant", "Direction générale, encadrement"
    METIER = "metier", "Agent d'un service métier"
    REFERENT = "referent", "Référent données ou SIG"
    DSI = "dsi", "Informatique (DSI)"
    AUTRE = "autre", "Autre"


class Response(models.Model):
    # Answers are never lost: a campaign with answers cannot be deleted by mistake.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    etd = models.ForeignKey(
        Etd, null=True, blank=True, on_delete=models.SET_NULL, related_name="culture_responses"
    )
    role = models.CharField("fonction", max_length=20, choices=RespondentRole.choices)
    service = models.CharField("service", max_length=200)
    name = models.CharField("nom", max_length=200, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    consented_at = models.DateTimeField("consentement donné le")
    submitted_at = models.DateTimeField("répondu le", default=timezone.now)
    # Domain code → score 0–100 or None, computed once at submission (odl.culture.scoring).
    scores = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["campaign", "etd"])]
        ordering = ["submitted_at"]
        verbose_name = "réponse au questionnaire"
        verbose_name_plural = "réponses au questionnaire"

    def __str__(self) -> str:
        return f"Réponse {self.pk} à « {self.campaign} »"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    choice = models.PositiveSmallIntegerField(null=True, blank=True, help_text="vide : « je ne sais pas »")
    points = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item")]
        verbose_name = "réponse à une question"


class RuleScope(models.TextChoices):
    INDIVIDUAL = "individual", "Pour le répondant"
    COLLECTIVITY = "collectivity", "Pour une collectivité (part des agents)"


class RuleOperator(models.TextChoices):
    BELOW = "below", "score inférieur à"
    AT_LEAST = "at_least", "score supérieur ou égal à"


class RuleAction(models.TextChoices):
    RESOURCE = "resource", "Ressource de l'espace documentaire"
    TRAINING = "training", "Formation ou atelier"
    FORMAT = "format", "Format d'animation"


class RuleQuerySet(models.QuerySet["Rule"]):
    def active(self) -> RuleQuerySet:
        return self.filter(active=True).select_related("domain", "resource").order_by("position", "pk")

    def for_scope(self, scope: str) -> RuleQuerySet:
        return self.active().filter(scope=scope)


class Rule(models.Model):
    domain = models.ForeignKey(
        Domain,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name="domaine",
        help_text="vide : le score global (moyenne des domaines)",
    )
    operator = models.CharField("condition", max_length=10, choices=RuleOperator.choices)
    threshold = models.PositiveSmallIntegerField("seuil (0–100)", default=50)
    scope = models.CharField("pour", max_length=20, choices=RuleScope.choices, default=RuleScope.INDIVIDUAL)
    share_threshold = models.PositiveSmallIntegerField(
        "part minimale des agents (%)",
        default=30,
        help_text="pour une collectivité : la recommandation vaut quand au moins cette part des agents remplit "
        "la condition",
    )
    action = models.CharField("recommandation", max_length=20, choices=RuleAction.choices)
    title = models.CharField("intitulé", max_length=300)
    text = models.TextField("précisions", blank=True)
    resource = models.ForeignKey(
        Resource,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="ressource",
    )
    # Remembered so that a deleted resource can still be named on the results page.
    resource_title = models.CharField("titre de la ressource", max_length=300, blank=True, editable=False)
    format_slug = models.SlugField(
        "format d'animation (slug)", max_length=100, blank=True, help_text="slug du catalogue des formats"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    active = models.BooleanField("active", default=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "règle de recommandation"
        verbose_name_plural = "règles de recommandation"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.threshold > 100:
            raise ValidationError({"threshold": "Le seuil est un score de 0 à 100."})
        if self.share_threshold > 100:
            raise ValidationError({"share_threshold": "La part est un pourcentage de 0 à 100."})
        if self.action == RuleAction.RESOURCE and self.resource_id is None and not self.resource_title:
            raise ValidationError({"resource": "Choisissez la ressource recommandée."})
        if self.action == RuleAction.FORMAT and not self.format_slug:
            raise ValidationError({"format_slug": "Donnez le slug du format d'animation recommandé."})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.resource is not None:
            self.resource_title = self.resource.title
        super().save(*args, **kwargs)
