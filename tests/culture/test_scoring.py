"""Scoring of the questionnaire on its edges: « je ne sais pas », one item, ties, the level boundaries."""

from __future__ import annotations

import pytest

from odl.culture.scoring import (
    ALERT_GAP,
    Level,
    ScoredAnswer,
    domain_score,
    gap_alert,
    global_score,
    level_of,
    score,
)

DOMAINS = [("a", "Domaine A"), ("b", "Domaine B")]


def test_a_domain_answered_only_je_ne_sais_pas_has_no_score_not_zero() -> None:
    assert domain_score([None, None, None, None]) is None
    assert level_of(None) is None


def test_je_ne_sais_pas_is_left_out_of_the_mean() -> None:
    # 4 and 2 over two known answers: mean 3 of 4 → 75; the two « je ne sais pas » change nothing.
    assert domain_score([4, None, 2, None]) == 75
    assert domain_score([4, 2]) == 75


def test_a_single_item_gives_its_own_points_on_100() -> None:
    assert [domain_score([p]) for p in range(5)] == [0, 25, 50, 75, 100]


def test_halves_round_up_not_to_even() -> None:
    # 1 point over 2 items = 12.5 → 13 (Python's round() would give 12); 3 over 8 items = 9.375 → 9.
    assert domain_score([1, 0]) == 13
    assert domain_score([1, 0, 0, 0, 0, 1, 1, 0]) == 9
    assert global_score([12, 13]) == 13


def test_points_outside_the_scale_are_refused() -> None:
    with pytest.raises(ValueError, match="hors de l'échelle"):
        domain_score([5])


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0, Level.DECOUVERTE),
        (24, Level.DECOUVERTE),
        (25, Level.SENSIBILISE),
        (49, Level.SENSIBILISE),
        (50, Level.PRATICIEN),
        (74, Level.PRATICIEN),
        (75, Level.REFERENT),
        (100, Level.REFERENT),
    ],
)
def test_a_boundary_belongs_to_the_upper_level(value: int, level: Level) -> None:
    assert level_of(value) is level


def test_the_global_score_averages_only_the_domains_that_have_one() -> None:
    assert global_score([80, None, 40]) == 60
    assert global_score([None, None]) is None


def test_over_estimation_alert_needs_a_gap_strictly_above_the_threshold() -> None:
    # Self-rating 50 (2 of 4) against a wrong check (0): a gap of 50 > 40 → alert.
    gap = gap_alert([2, 2], 0, has_check=True)
    assert gap is not None and (gap.self_rating, gap.knowledge, gap.points) == (50, 0, 50)
    # Self-rating 25 + … exactly 40 is not « strictly above »: scores 40 need 1.6 of 4, i.e. [2, 2, 1, 1, 2].
    assert domain_score([2, 2, 1, 1, 2]) == ALERT_GAP
    assert gap_alert([2, 2, 1, 1, 2], 0, has_check=True) is None
    # A right check (100) never raises it; « je ne sais pas » on the check counts as not showing it.
    assert gap_alert([4, 4, 4], 4, has_check=True) is None
    assert gap_alert([4, 4, 4], None, has_check=True) is not None
    # No self-rating at all, or no check in the bank: nothing to compare.
    assert gap_alert([None, None], 0, has_check=True) is None
    assert gap_alert([4, 4], None, has_check=False) is None


def test_score_of_a_respondent_domain_by_domain() -> None:
    answers = [
        ScoredAnswer("a", False, 4),
        ScoredAnswer("a", False, 4),
        ScoredAnswer("a", True, 0),
        ScoredAnswer("b", False, None),
        ScoredAnswer("b", True, None),
    ]
    result = score(answers, DOMAINS)
    a, b = result.domains
    assert (a.score, a.level, a.gap is not None) == (67, Level.PRATICIEN, True)
    assert (b.score, b.level, b.gap, b.low_reliability) == (None, None, None, True)
    assert result.score == 67
    assert result.by_code() == {"a": 67, "b": None}
    assert [d.code for d in result.alerts] == ["a"]


def test_weakest_domains_keep_every_tie_in_bank_order() -> None:
    answers = [ScoredAnswer("a", False, 1), ScoredAnswer("b", False, 1), ScoredAnswer("c", False, 3)]
    result = score(answers, [("c", "C"), ("a", "A"), ("b", "B")])
    assert [d.code for d in result.weakest()] == ["a", "b"]
    assert score([], DOMAINS).weakest() == []
