"""Recommendation rules: thresholds, « je ne sais pas », shares of a collectivité, deleted resources."""

from __future__ import annotations

from typing import Any

import pytest

from odl.culture import rules
from odl.culture.models import Domain, Rule, RuleAction, RuleOperator, RuleScope
from odl.programme.models import Resource


@pytest.fixture
def domain(db: None) -> Domain:
    return Domain.objects.create(code="publication", label="Publication", position=0)


def _rule(domain: Domain | None, **fields: Any) -> Rule:
    defaults: dict[str, Any] = {
        "operator": RuleOperator.BELOW,
        "threshold": 50,
        "scope": RuleScope.INDIVIDUAL,
        "action": RuleAction.TRAINING,
        "title": "Atelier publication",
    }
    defaults.update(fields)
    return Rule.objects.create(domain=domain, **defaults)


def test_below_50_is_met_by_49_not_by_50_and_at_least_75_by_75(domain: Domain) -> None:
    below = _rule(domain)
    at_least = _rule(domain, operator=RuleOperator.AT_LEAST, threshold=75, title="Référent")
    assert [rules.condition_met(below, s) for s in (49, 50)] == [True, False]
    assert [rules.condition_met(at_least, s) for s in (74, 75)] == [False, True]


def test_a_domain_without_score_triggers_nothing(domain: Domain) -> None:
    _rule(domain)
    assert rules.for_respondent({"publication": None}) == []
    assert [r.title for r in rules.for_respondent({"publication": 10})] == ["Atelier publication"]


def test_a_rule_without_domain_reads_the_global_score(domain: Domain) -> None:
    _rule(None, operator=RuleOperator.AT_LEAST, threshold=75, title="Ambassadeur")
    assert [r.domain for r in rules.for_respondent({"publication": 80, "autre": 70})] == ["Score global"]
    assert rules.for_respondent({"publication": 80, "autre": 60}) == []


def test_rules_come_in_their_order_then_creation_order_on_ties(domain: Domain) -> None:
    _rule(domain, title="B", position=1)
    _rule(domain, title="C", position=0)
    _rule(domain, title="A", position=1)
    assert [r.title for r in rules.for_respondent({"publication": 0})] == ["C", "B", "A"]


def test_a_collectivity_rule_holds_from_exactly_its_share(domain: Domain) -> None:
    rule = _rule(
        domain, scope=RuleScope.COLLECTIVITY, share_threshold=30, action=RuleAction.FORMAT, format_slug="x"
    )
    # 3 of 10 below 50 = 30 % → recommended; 2 of 10 → not. « Je ne sais pas » respondents are not judged.
    three = [{"publication": 10}] * 3 + [{"publication": 90}] * 7
    two = [{"publication": 10}] * 2 + [{"publication": 90}] * 8
    assert [r.share for r in rules.for_group(three + [{"publication": None}] * 5, [rule])] == [30]
    assert rules.for_group(two, [rule]) == []
    assert rules.for_group([{"publication": None}] * 6, [rule]) == []


def test_a_rule_whose_resource_was_deleted_is_shown_with_a_note(domain: Domain) -> None:
    resource = Resource.objects.create(title="Fiche SCDL", kind="fiche", visibility="national")
    rule = _rule(domain, action=RuleAction.RESOURCE, resource=resource, title="Lire la fiche")
    found = rules.for_respondent({"publication": 0})
    assert found[0].url == f"/ressources/{resource.pk}/" and found[0].note == ""
    resource.delete()
    rule.refresh_from_db()
    assert rule.resource is None and rule.resource_title == "Fiche SCDL"
    found = rules.for_respondent({"publication": 0})
    assert found[0].url == "" and found[0].note == rules.MISSING_RESOURCE_NOTE
    assert found[0].title == "Lire la fiche (« Fiche SCDL »)"


def test_an_animation_format_is_kept_as_its_slug_and_links_only_when_the_catalogue_exists(
    domain: Domain,
) -> None:
    _rule(domain, action=RuleAction.FORMAT, format_slug="cartopartie", title="Cartopartie")
    (found,) = rules.for_respondent({"publication": 0})
    assert found.action_label == "Format d'animation"
    # Without the catalogue's URL, no broken link: the title alone.
    from django.urls import NoReverseMatch, reverse

    try:
        expected = reverse(rules.FORMAT_URL_NAME, args=["cartopartie"])
    except NoReverseMatch:
        expected = ""
    assert found.url == expected


def test_the_admin_refuses_a_resource_rule_without_resource_and_a_format_rule_without_slug(
    domain: Domain,
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Choisissez la ressource"):
        Rule(domain=domain, operator="below", threshold=50, action=RuleAction.RESOURCE, title="x").clean()
    with pytest.raises(ValidationError, match="slug du format"):
        Rule(domain=domain, operator="below", threshold=50, action=RuleAction.FORMAT, title="x").clean()
    with pytest.raises(ValidationError, match="de 0 à 100"):
        Rule(domain=domain, operator="below", threshold=150, action=RuleAction.TRAINING, title="x").clean()
