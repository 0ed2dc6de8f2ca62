"""What an ATD sees of a campaign: figures per group, never an individual answer.

**k-anonymity, applied to every breakdown** (the territory, each collectivité, each function, the item
distributions, the trend and the exports): a group of fewer than ``K_ANONYMITY`` (5) respondents shows
no figure, only that it is too small; inside a shown group, a domain scored by fewer than 5 respondents
(the others answered « je ne sais pas » everywhere) shows no figure either. And so that a hidden group
cannot be found by subtracting the shown ones from the total, when exactly one group of a breakdown is
hidden, the smallest shown group is hidden with it (complementary suppression); the same holds, per
domain, for the cells of a breakdown.

**Cache**: figures and distributions are kept in the process (the last ``CACHE_SIZE``, no pickling:
a figure object is read back as it is) under a key made of
the campaign, its number of responses and last response, the bank's domains and the collectivité
rules: a new response, an edited rule or a renamed domain changes the key, so nothing stale is shown.

Figures of a domain in a group: respondents with a score in it, their mean score (rounded half up),
the share of them below 50 (``BELOW``), in whole percents.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet

from odl.culture import rules as culture_rules
from odl.culture.models import (
    Answer,
    Campaign,
    Domain,
    Item,
    ItemKind,
    RespondentRole,
    Response,
    Rule,
    RuleScope,
)
from odl.culture.rules import Recommendation
from odl.programme.models import Etd

K_ANONYMITY = 5
CACHE_SIZE = 64
_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
BELOW = 50
HIDDEN_TEXT = f"moins de {K_ANONYMITY} réponses"
COMPLEMENT_TEXT = "masqué pour qu'on ne puisse pas déduire un petit groupe des autres"
TOTAL_KEY = "tout"
NO_ETD_KEY = "etd-aucune"

Scores = Mapping[str, int | None]


def _percent(part: int, whole: int) -> int:
    return (200 * part + whole) // (2 * whole)


@dataclass
class DomainFigure:
    code: str
    label: str
    scored: int
    mean: int | None = None
    below: int | None = None  # share below 50, in %
    hidden: str = ""  # why no figure is shown, or empty


@dataclass
class Group:
    key: str
    label: str
    respondents: int
    domains: list[DomainFigure] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    hidden: str = ""

    def hide(self, reason: str) -> None:
        self.hidden = reason
        self.recommendations = []
        for figure in self.domains:
            figure.mean = figure.below = None
            figure.hidden = figure.hidden or reason


def group(
    key: str,
    label: str,
    respondents: Sequence[Scores],
    domains: Sequence[tuple[str, str]],
    rules: Sequence[Rule],
) -> Group:
    """Figures of one group; empty (``hidden``) below ``K_ANONYMITY`` respondents."""
    result = Group(key, label, len(respondents))
    for code, domain_label in domains:
        values = [s[code] for s in respondents if s.get(code) is not None]
        known = [v for v in values if v is not None]
        figure = DomainFigure(code, domain_label, len(known))
        if len(known) >= K_ANONYMITY:
            figure.mean = (2 * sum(known) + len(known)) // (2 * len(known))
            figure.below = _percent(sum(1 for v in known if v < BELOW), len(known))
        else:
            figure.hidden = HIDDEN_TEXT
        result.domains.append(figure)
    if len(respondents) < K_ANONYMITY:
        result.hide(HIDDEN_TEXT)
    else:
        result.recommendations = culture_rules.for_group(respondents, rules)
    return result


def suppress_complements(groups: list[Group]) -> None:
    """Complementary suppression within one breakdown whose total is shown elsewhere."""
    if len(groups) < 2:
        return
    hidden = [g for g in groups if g.hidden and g.respondents > 0]
    shown = [g for g in groups if not g.hidden]
    if len(hidden) == 1 and shown:
        min(shown, key=lambda g: (g.respondents, g.key)).hide(COMPLEMENT_TEXT)
    for index in range(len(groups[0].domains) if groups else 0):
        cells = [g.domains[index] for g in groups]
        hidden_cells = [c for c in cells if c.hidden and c.scored > 0]
        shown_cells = [c for c in cells if not c.hidden]
        if len(hidden_cells) == 1 and shown_cells:
            cell = min(shown_cells, key=lambda c: c.scored)
            cell.mean = cell.below = None
            cell.hidden = COMPLEMENT_TEXT


@dataclass
class Figures:
    domains: list[tuple[str, str]]
    total: Group
    by_etd: list[Group]
    by_role: list[Group]

    def groups(self) -> list[Group]:
        return [self.total, *self.by_etd, *self.by_role]

    def find(self, key: str) -> Group | None:
        return next((g for g in self.groups() if g.key == key), None)


def bank_domains() -> list[tuple[str, str]]:
    return [(d.code, d.label) for d in Domain.objects.with_active_items()]


def responses_of(campaign: Campaign, etd: Etd | None = None) -> QuerySet[Response]:
    found = Response.objects.filter(campaign=campaign)
    return found.filter(etd=etd) if etd is not None else found


def _cached(key: str) -> Any:
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    return None


def _keep(key: str, value: Any) -> None:
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _cache_key(kind: str, campaign: Campaign, etd: Etd | None, *parts: Any) -> str:
    answered = responses_of(campaign, etd).aggregate(n=Count("id"), last=Max("id"))
    signature = repr((campaign.created_at, answered["n"], answered["last"], *parts)).encode()
    return f"culture:{kind}:{campaign.pk}:{etd.pk if etd else 0}:{hashlib.sha256(signature).hexdigest()}"


def figures(campaign: Campaign, etd: Etd | None = None) -> Figures:
    """The campaign's figures for the ATD (every collectivité) or for one collectivité (``etd``)."""
    domains = bank_domains()
    rules = list(Rule.objects.for_scope(RuleScope.COLLECTIVITY))
    rule_state = [
        (r.pk, r.domain_id, r.operator, r.threshold, r.share_threshold, r.action, r.title, r.text)
        + (r.resource_id, r.resource_title, r.format_slug)
        for r in rules
    ]
    key = _cache_key("figures", campaign, etd, domains, rule_state)
    found = _cached(key)
    if found is None:
        found = _compute_figures(campaign, etd, domains, rules)
        _keep(key, found)
    return found  # type: ignore[no-any-return]


def _compute_figures(
    campaign: Campaign, etd: Etd | None, domains: list[tuple[str, str]], rules: list[Rule]
) -> Figures:
    rows = list(responses_of(campaign, etd).values_list("etd_id", "role", "scores"))
    by_etd: dict[int | None, list[Scores]] = defaultdict(list)
    by_role: dict[str, list[Scores]] = defaultdict(list)
    for etd_id, role, scores in rows:
        by_etd[etd_id].append(scores)
        by_role[role].append(scores)
    label = etd.territory.nom if etd is not None else "Tout le territoire de l'ATD"
    total = group(TOTAL_KEY, label, [r[2] for r in rows], domains, rules)
    names = dict(
        Etd.objects.filter(pk__in=[k for k in by_etd if k is not None]).values_list("pk", "territory__nom")
    )
    etd_groups = [
        group(f"etd-{pk}", names.get(pk, "?"), scores, domains, rules)
        for pk, scores in sorted(by_etd.items(), key=lambda kv: names.get(kv[0], "~") if kv[0] else "~")
        if pk is not None
    ]
    if None in by_etd:
        etd_groups.append(group(NO_ETD_KEY, "Collectivité non listée", by_etd[None], domains, rules))
    role_groups = [
        group(f"role-{role}", RespondentRole(role).label, by_role[role], domains, rules)
        for role in RespondentRole.values
        if role in by_role
    ]
    if etd is None:
        suppress_complements(etd_groups)
    suppress_complements(role_groups)
    return Figures(domains, total, etd_groups, role_groups)


@dataclass
class ItemDistribution:
    code: str
    text: str
    domain: str
    verification: bool
    counts: list[tuple[str, int, bool]]  # (option, respondents, is the right answer)
    dont_know: int
    total: int


def distribution(campaign: Campaign, key: str, etd: Etd | None = None) -> list[ItemDistribution] | None:
    """How a group answered each question; None when the group is too small to be shown."""
    bank = list(Item.objects.values_list("pk", "code", "text", "options", "correct_option", "domain__label"))
    cache_key = _cache_key("distribution", campaign, etd, key, bank)
    found = _cached(cache_key)
    if found is None:
        found = _compute_distribution(campaign, key, etd)
        _keep(cache_key, found)
    return found or None


def _compute_distribution(campaign: Campaign, key: str, etd: Etd | None) -> list[ItemDistribution]:
    """Empty when the group is too small (the cache keeps that answer too)."""
    where: dict[str, Any] = {"campaign": campaign}
    if etd is not None:
        where["etd"] = etd
    if key.startswith("etd-") and key != NO_ETD_KEY:
        where["etd_id"] = int(key.removeprefix("etd-")) if key.removeprefix("etd-").isdigit() else 0
    elif key == NO_ETD_KEY:
        where["etd__isnull"] = True
    elif key.startswith("role-"):
        where["role"] = key.removeprefix("role-")
    if Response.objects.filter(**where).count() < K_ANONYMITY:
        return []
    counted: dict[int, Counter[int | None]] = defaultdict(Counter)
    # A join on the response (not « IN (subquery) »): one pass over the campaign's answers.
    rows = (
        Answer.objects.filter(**{f"response__{name}": value for name, value in where.items()})
        .values("item_id", "choice")
        .annotate(n=Count("id"))
        .values_list("item_id", "choice", "n")
    )
    for item_id, choice, n in rows:
        counted[item_id][choice] += n
    items = Item.objects.filter(pk__in=counted).in_bank_order()
    result = []
    for item in items:
        counts = counted[item.pk]
        options: list[Any] = list(item.options)
        result.append(
            ItemDistribution(
                code=item.code,
                text=item.text,
                domain=item.domain.label,
                verification=item.kind == ItemKind.VERIFICATION,
                counts=[(o, counts.get(i, 0), i == item.correct_option) for i, o in enumerate(options)],
                dont_know=counts.get(None, 0),
                total=sum(counts.values()),
            )
        )
    return result


@dataclass
class TrendRow:
    label: str
    before: DomainFigure
    after: DomainFigure

    @property
    def delta(self) -> int | None:
        if self.before.mean is None or self.after.mean is None:
            return None
        return self.after.mean - self.before.mean

    @property
    def below_delta(self) -> int | None:
        if self.before.below is None or self.after.below is None:
            return None
        return self.after.below - self.before.below


def trend(before: Figures, after: Figures) -> list[TrendRow]:
    """Domain by domain, the earlier campaign's figures beside the later one's (both k-anonymous)."""
    earlier = {f.code: f for f in before.total.domains}
    return [
        TrendRow(
            figure.label,
            earlier.get(figure.code, DomainFigure(figure.code, figure.label, 0, hidden=HIDDEN_TEXT)),
            figure,
        )
        for figure in after.total.domains
    ]


EXPORT_COLUMNS = (
    "groupe",
    "libellé",
    "répondants",
    "domaine",
    "réponses notées",
    "score moyen",
    "part sous 50 (%)",
)
ITEM_EXPORT_COLUMNS = ("domaine", "question_code", "question", "réponse", "répondants", "bonne réponse")


def export_rows(result: Figures) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for g in result.groups():
        kind = (
            "territoire"
            if g.key == TOTAL_KEY
            else "fonction"
            if g.key.startswith("role-")
            else "collectivité"
        )
        for figure in g.domains:
            shown = figure.hidden or g.hidden
            rows.append(
                [
                    kind,
                    g.label,
                    g.respondents,
                    figure.label,
                    figure.scored if not g.hidden else shown,
                    figure.mean if figure.mean is not None else shown,
                    figure.below if figure.below is not None else shown,
                ]
            )
    return rows


def item_export_rows(items: list[ItemDistribution]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for item in items:
        for option, count, right in item.counts:
            rows.append([item.domain, item.code, item.text, option, count, "oui" if right else ""])
        rows.append([item.domain, item.code, item.text, "Je ne sais pas", item.dont_know, ""])
    return rows
