"""How a respondent's answers become scores, levels and alerts (pure functions, no database).

**Points of an answer** (``Item.points_for``): a self-positioning answer is worth its option's rank,
0 to 4; a knowledge check is worth 4 when right and 0 when wrong; « je ne sais pas » has no points
(``None``).

**Domain score** (:func:`domain_score`): ``round(100 × mean(points) / 4)`` over the domain's answers that
have points, the self-positionings and the knowledge check alike; « je ne sais pas » is left out of
the mean (it is neither a 0 nor a 4: the respondent did not position herself). A domain answered only
with « je ne sais pas » has **no score** (``None``), shown as such, never as 0. Halves round up
(12.5 → 13), so the result does not depend on Python's banker's rounding.

**Global score** (:func:`global_score`): the plain mean of the domain scores that exist, rounded the
same way; ``None`` when no domain has a score.

**Level** (:func:`level_of`): Découverte below 25, Sensibilisé below 50, Praticien below 75, Référent
from 75; a boundary belongs to the upper level (25 is Sensibilisé). No score, no level.

**Over-estimation alert** (:func:`gap_alert`): the self-rating of a domain (mean of its
self-positionings, × 25) minus its knowledge check (100 when right, 0 when wrong or « je ne sais
pas » — not knowing the answer is not showing the knowledge) is strictly above ``ALERT_GAP`` (40).
No self-rating (all « je ne sais pas ») or no knowledge check answered in the bank: no alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

MAX_POINTS = 4
ALERT_GAP = 40
# Upper bounds (exclusive) of the first three levels; Référent above.
LEVEL_BOUNDS = (25, 50, 75)


class Level(StrEnum):
    DECOUVERTE = "Découverte"
    SENSIBILISE = "Sensibilisé"
    PRATICIEN = "Praticien"
    REFERENT = "Référent"


LEVELS = (Level.DECOUVERTE, Level.SENSIBILISE, Level.PRATICIEN, Level.REFERENT)


def _round_half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) for non-negative integers, halves going up."""
    return (2 * numerator + denominator) // (2 * denominator)


def domain_score(points: Iterable[int | None]) -> int | None:
    """Score 0–100 of one domain from its answers' points; None when all are « je ne sais pas »."""
    known = [p for p in points if p is not None]
    if not known:
        return None
    if any(not 0 <= p <= MAX_POINTS for p in known):
        raise ValueError(f"points hors de l'échelle 0–{MAX_POINTS} : {known}")
    return _round_half_up(100 * sum(known), MAX_POINTS * len(known))


def global_score(scores: Iterable[int | None]) -> int | None:
    known = [s for s in scores if s is not None]
    if not known:
        return None
    return _round_half_up(sum(known), len(known))


def level_of(score: int | None) -> Level | None:
    if score is None:
        return None
    for bound, level in zip(LEVEL_BOUNDS, LEVELS, strict=False):
        if score < bound:
            return level
    return Level.REFERENT


@dataclass(frozen=True)
class Gap:
    self_rating: int
    knowledge: int

    @property
    def points(self) -> int:
        return self.self_rating - self.knowledge


def gap_alert(auto_points: Sequence[int | None], check_points: int | None, has_check: bool) -> Gap | None:
    """The over-estimation gap of a domain when it exceeds ``ALERT_GAP``; None otherwise."""
    self_rating = domain_score(auto_points)
    if self_rating is None or not has_check:
        return None
    knowledge = 100 if check_points == MAX_POINTS else 0
    gap = Gap(self_rating, knowledge)
    return gap if gap.points > ALERT_GAP else None


@dataclass(frozen=True)
class ScoredAnswer:
    """One answer as scoring sees it: its domain, whether it is the knowledge check, its points."""

    domain: str
    verification: bool
    points: int | None


@dataclass
class DomainResult:
    code: str
    label: str
    score: int | None
    level: Level | None
    answered: int
    dont_know: int
    gap: Gap | None = None

    @property
    def low_reliability(self) -> bool:
        """More than half of the domain's items answered « je ne sais pas »."""
        return self.dont_know * 2 > self.answered


@dataclass
class Result:
    domains: list[DomainResult] = field(default_factory=list)

    @property
    def score(self) -> int | None:
        return global_score(d.score for d in self.domains)

    @property
    def level(self) -> Level | None:
        return level_of(self.score)

    @property
    def alerts(self) -> list[DomainResult]:
        return [d for d in self.domains if d.gap is not None]

    def weakest(self) -> list[DomainResult]:
        """The domains with the lowest score (every one of them on a tie), in bank order."""
        scored = [d for d in self.domains if d.score is not None]
        if not scored:
            return []
        low = min(d.score for d in scored if d.score is not None)
        return [d for d in scored if d.score == low]

    def by_code(self) -> dict[str, int | None]:
        return {d.code: d.score for d in self.domains}


def score(answers: Iterable[ScoredAnswer], domains: Sequence[tuple[str, str]]) -> Result:
    """The result of one respondent; ``domains`` are (code, label) in bank order.

    A domain of the bank with no answer at all gets no score, like an all-« je ne sais pas » one.
    """
    grouped: dict[str, list[ScoredAnswer]] = {code: [] for code, _label in domains}
    for answer in answers:
        grouped.setdefault(answer.domain, []).append(answer)
    result = Result()
    for code, label in domains:
        mine = grouped[code]
        points = [a.points for a in mine]
        value = domain_score(points)
        checks = [a for a in mine if a.verification]
        gap = gap_alert(
            [a.points for a in mine if not a.verification],
            checks[0].points if checks else None,
            has_check=bool(checks),
        )
        result.domains.append(
            DomainResult(
                code=code,
                label=label,
                score=value,
                level=level_of(value),
                answered=len(mine),
                dont_know=sum(1 for p in points if p is None),
                gap=gap,
            )
        )
    return result
