from odl.territories.obligation import Obligation, Rule, evaluate

RULE = Rule()


def test_a_commune_just_above_the_threshold_with_unknown_agents_is_to_be_confirmed() -> None:
    status, reason = evaluate("commune", 3512, None, "metro", "", RULE)
    assert status == Obligation.A_CONFIRMER
    assert reason == "3 512 hab. > 3 500 ; effectif non renseigné"


def test_a_commune_exactly_at_the_threshold_is_not_obliged() -> None:
    status, reason = evaluate("commune", 3500, 120, "metro", "", RULE)
    assert status == Obligation.NON
    assert reason == "3 500 hab. ≤ 3 500"


def test_a_commune_with_fifty_agents_is_obliged_and_with_forty_nine_is_not() -> None:
    assert evaluate("commune", 8000, 50, "metro", "", RULE)[0] == Obligation.OUI
    status, reason = evaluate("commune", 8000, 49, "metro", "", RULE)
    assert status == Obligation.NON
    assert reason.endswith("49 agents < 50")


def test_departements_and_regions_are_always_concerned() -> None:
    assert evaluate("departement", None, None, "metro", "", RULE) == (
        Obligation.OUI,
        "département : toujours concerné",
    )
    assert evaluate("region", None, 3, "drom", "", RULE)[0] == Obligation.OUI


def test_a_departement_whose_competences_another_body_exercises_is_counted_under_that_body() -> None:
    status, reason = evaluate(
        "departement", None, None, "metro", "la Collectivité de Corse (région 94)", RULE
    )
    assert status == Obligation.NON
    assert "Collectivité de Corse" in reason


def test_an_overseas_com_commune_that_passes_the_tests_is_flagged_to_be_confirmed() -> None:
    status, reason = evaluate("commune", 5194, 80, "com", "", RULE)
    assert status == Obligation.A_CONFIRMER
    assert "outre-mer" in reason


def test_the_threshold_is_configurable() -> None:
    assert evaluate("commune", 5000, None, "metro", "", Rule(population_threshold=10000))[0] == Obligation.NON


def test_population_bands_include_their_upper_bound() -> None:
    from odl.territories.targeting import summarise

    populations = [3500, 3501, 10000, 10001, 80000, 200000, 200001]
    rows = [{"kind": "commune", "population": p, "obligation": "oui", "millesime": 2023} for p in populations]
    counts = [band["count"] for band in summarise(rows)["bands"]]
    assert counts == [1, 2, 1, 0, 1, 1, 1]
