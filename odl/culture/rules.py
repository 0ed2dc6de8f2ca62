"""Recommendations from the editable rules (``Rule``), for one respondent and for a collectivité.

A rule's condition is a score compared with a threshold: the score of one domain, or the global
score when the rule names no domain. ``below 50`` is met by 49 and not by 50; ``at_least 75`` is met
by 75. A domain without a score (all « je ne sais pas ») meets no condition: nothing is recommended on
what the respondent did not say.

For a collectivité (or the ATD's whole territory), a rule of scope ``collectivity`` holds when at least
``share_threshold`` % of the respondents *who have a score in that domain* meet its condition, and only
for a group of at least ``aggregates.K_ANONYMITY`` respondents (the caller checks it).

A rule pointing to a document of the programme's space that was deleted since is still shown, with a
French note and without a link, so the results page never breaks. An animation format is named by its
slug only: the catalogue of formats belongs to another app, never imported here; the link is made by
URL name when that app is installed (``FORMAT_URL_NAME``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from odl.culture.models import Rule, RuleAction, RuleOperator, RuleScope
from odl.culture.scoring import global_score

FORMAT_URL_NAME = "animations:format"
MISSING_RESOURCE_NOTE = "Ce document n'est plus dans l'espace documentaire ; demandez-le à votre ATD."


@dataclass(frozen=True)
class Recommendation:
    rule_id: int
    action: str
    action_label: str
    title: str
    text: str
    domain: str  # domain label, or « Score global »
    url: str = ""
    note: str = ""
    share: int | None = None  # for a collectivité: the share of respondents meeting the condition


def condition_met(rule: Rule, score: int | None) -> bool:
    if score is None:
        return False
    if rule.operator == RuleOperator.BELOW:
        return score < rule.threshold
    return score >= rule.threshold


def _score_for(rule: Rule, scores: Mapping[str, int | None]) -> int | None:
    if rule.domain is None:
        return global_score(scores.values())
    return scores.get(rule.domain.code)


def _format_url(slug: str) -> str:
    try:
        return reverse(FORMAT_URL_NAME, args=[slug])
    except NoReverseMatch:
        return ""


def recommendation(rule: Rule, share: int | None = None) -> Recommendation:
    url, note, title = "", "", rule.title
    if rule.action == RuleAction.RESOURCE:
        if rule.resource is not None:
            url = reverse("programme:resource", args=[rule.resource.pk])
        else:
            note = MISSING_RESOURCE_NOTE
            if rule.resource_title:
                title = f"{rule.title} (« {rule.resource_title} »)"
    elif rule.action == RuleAction.FORMAT:
        url = _format_url(rule.format_slug)
    return Recommendation(
        rule_id=rule.pk,
        action=rule.action,
        action_label=RuleAction(rule.action).label,
        title=title,
        text=rule.text,
        domain=rule.domain.label if rule.domain is not None else "Score global",
        url=url,
        note=note,
        share=share,
    )


def for_respondent(
    scores: Mapping[str, int | None], rules: Iterable[Rule] | None = None
) -> list[Recommendation]:
    """The individual rules whose condition the respondent's scores meet, in the rules' order."""
    chosen = Rule.objects.for_scope(RuleScope.INDIVIDUAL) if rules is None else rules
    return [recommendation(rule) for rule in chosen if condition_met(rule, _score_for(rule, scores))]


def _values(rule: Rule, respondents: Sequence[Mapping[str, int | None]]) -> list[int]:
    """The scores a rule judges in a group: one per respondent who has one (the domain is read once)."""
    if rule.domain is None:
        found = [global_score(scores.values()) for scores in respondents]
    else:
        code = rule.domain.code
        found = [scores.get(code) for scores in respondents]
    return [v for v in found if v is not None]


def share_meeting(rule: Rule, respondents: Sequence[Mapping[str, int | None]]) -> tuple[int, int]:
    """(how many respondents meet the rule, how many have a score it can be judged on)."""
    values = _values(rule, respondents)
    threshold = rule.threshold
    if rule.operator == RuleOperator.BELOW:
        met = sum(1 for v in values if v < threshold)
    else:
        met = sum(1 for v in values if v >= threshold)
    return met, len(values)


def for_group(
    respondents: Sequence[Mapping[str, int | None]], rules: Iterable[Rule] | None = None
) -> list[Recommendation]:
    """The collectivité rules that hold for this group of respondents (each a dict of domain scores)."""
    chosen = Rule.objects.for_scope(RuleScope.COLLECTIVITY) if rules is None else rules
    found = []
    for rule in chosen:
        met, judged = share_meeting(rule, respondents)
        # met / judged ≥ share_threshold %, in integers so that 30 % of 10 is exactly 3.
        if judged and met * 100 >= rule.share_threshold * judged:
            found.append(recommendation(rule, share=(200 * met + judged) // (2 * judged)))
    return found


# The project's default rules (loaded with the default bank when there are none): a training for a
# respondent below 50 in a domain, an animation format for a collectivité where ≥ 30 % are below 50.
DEFAULT_RULES: list[tuple[str, str, str, str, str]] = [
    # domain, individual training, its text, collective format slug, format title
    (
        "vocabulaire",
        "Sensibilisation : comprendre la donnée et l'open data",
        "Une demi-journée pour distinguer donnée, information et document, et voir ce que l'ouverture apporte.",
        "infolab",
        "Infolab découverte pour les agents",
    ),
    (
        "statistique",
        "Atelier de lecture critique des chiffres",
        "Moyenne, médiane, taux d'évolution et graphiques trompeurs, sur des exemples de la collectivité.",
        "atelier-manipulation-donnees",
        "Atelier de manipulation des données",
    ),
    (
        "formats",
        "Atelier « un CSV de qualité »",
        "Tableur, encodage, séparateur, jointures : produire un fichier réutilisable.",
        "atelier-manipulation-donnees",
        "Atelier de manipulation des données",
    ),
    (
        "visualisation",
        "Atelier datavisualisation et cartographie",
        "Choisir le bon graphique, faire une première carte avec uMap.",
        "datavisualisation-challenge",
        "Datavisualisation challenge",
    ),
    (
        "juridique",
        "Formation RGPD et licences",
        "Données personnelles, anonymisation, obligations d'ouverture, Licence Ouverte et ODbL.",
        "animation-reseau",
        "Atelier élus et DPO dans le réseau de l'ATD",
    ),
    (
        "algorithmes",
        "Sensibilisation aux algorithmes publics",
        "Règles de calcul, transparence due aux administrés, biais des traitements automatisés.",
        "barcamp",
        "Barcamp sur les algorithmes publics",
    ),
    (
        "publication",
        "Accompagnement à la publication SCDL",
        "Avec l'ATD : choisir le schéma, valider le fichier, publier avec ses métadonnées.",
        "atelier-manipulation-donnees",
        "Atelier publication SCDL",
    ),
]


def ensure_default() -> int:
    """Create the default rules when there are none; the number created."""
    from odl.culture.models import Domain

    if Rule.objects.exists():
        return 0
    domains = {d.code: d for d in Domain.objects.all()}
    created = 0
    for position, (code, training, text, slug, fmt_title) in enumerate(DEFAULT_RULES):
        domain = domains.get(code)
        if domain is None:
            continue
        Rule.objects.create(
            domain=domain,
            operator=RuleOperator.BELOW,
            threshold=50,
            scope=RuleScope.INDIVIDUAL,
            action=RuleAction.TRAINING,
            title=training,
            text=text,
            position=position,
        )
        Rule.objects.create(
            domain=domain,
            operator=RuleOperator.BELOW,
            threshold=50,
            scope=RuleScope.COLLECTIVITY,
            share_threshold=30,
            action=RuleAction.FORMAT,
            title=fmt_title,
            text=f"Au moins 30 % des agents sont sous 50 en « {domain.label} ».",
            format_slug=slug,
            position=position,
        )
        created += 2
    Rule.objects.create(
        domain=None,
        operator=RuleOperator.AT_LEAST,
        threshold=75,
        scope=RuleScope.INDIVIDUAL,
        action=RuleAction.TRAINING,
        title="Devenir référent ou ambassadeur de la donnée",
        text="Votre niveau vous permet d'animer d'autres agents : co-animez un atelier avec l'ATD.",
        position=len(DEFAULT_RULES),
    )
    return created + 1
