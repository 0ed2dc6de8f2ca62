"""The questionnaire recommends animation formats by slug: each default rule must point at a real fiche."""

from django.urls import reverse

from odl.animations.fiches import DEFAULT_FORMATS
from odl.culture.rules import DEFAULT_RULES, _format_url


def test_every_default_rule_recommends_a_format_of_the_planner() -> None:
    slugs = {fiche["slug"] for fiche in DEFAULT_FORMATS}
    recommended = {rule[3] for rule in DEFAULT_RULES}
    assert recommended, "les règles par défaut recommandent des formats"
    assert recommended <= slugs, f"formats inconnus du planificateur : {sorted(recommended - slugs)}"


def test_a_recommended_format_links_to_its_fiche() -> None:
    slug = DEFAULT_RULES[0][3]
    assert _format_url(slug) == reverse("animations:format", args=[slug])
