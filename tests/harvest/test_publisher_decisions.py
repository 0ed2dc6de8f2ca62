"""Publisher.decide: the one state machine behind the review queue and the mapping import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from harvest_replay import Replay, load, paged_ckan

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import (
    REVIEW_DECISIONS,
    Decision,
    DecisionError,
    HarvestSource,
    Keep,
    MatchStatus,
    Publisher,
    TerritoryRequired,
    parse_decision,
)
from odl.territories.models import Area, Territory

pytestmark = pytest.mark.django_db


def commune(code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=code)


@pytest.fixture
def proposed(small_referentiel: Path) -> Publisher:
    """A publisher the matcher could not settle: Pacé is proposed, a person must look."""
    source = HarvestSource.objects.create(name="Portail", kind="ckan", url="https://portail.example.fr")
    return Publisher.objects.create(
        source=source,
        remote_id="o1",
        name="Mairie",
        match_status=MatchStatus.TO_REVIEW,
        candidate=commune("35206"),
    )


@pytest.mark.parametrize(
    "decision, options, expected",
    [
        (Decision.ACCEPT, {}, ("35206", MatchStatus.ACCEPTED, None)),
        (Decision.REASSIGN, {"territory": "35047"}, ("35047", MatchStatus.ACCEPTED, None)),
        (Decision.REJECT, {}, (None, MatchStatus.REJECTED, None)),
        (Decision.NOT_COLLECTIVITE, {}, (None, MatchStatus.NOT_COLLECTIVITE, None)),
        (Decision.ON_BEHALF, {"on_behalf_of": "35047"}, (None, MatchStatus.NOT_COLLECTIVITE, "35047")),
        (Decision.TO_REVIEW, {}, (None, MatchStatus.TO_REVIEW, None)),
        (Decision.UNMATCHED, {}, (None, MatchStatus.UNMATCHED, None)),
    ],
)
def test_each_decision_leaves_its_status_and_records_who_decided(
    proposed: Publisher,
    atd_agent: Any,
    decision: Decision,
    options: dict[str, str],
    expected: tuple[str | None, str, str | None],
) -> None:
    named = {key: commune(code) for key, code in options.items()}
    changed = proposed.decide(decision, by=atd_agent, note="vu en réunion", **named)  # type: ignore[arg-type]
    proposed.refresh_from_db()
    found = (
        proposed.territory.code if proposed.territory else None,
        proposed.match_status,
        proposed.on_behalf_of.code if proposed.on_behalf_of else None,
    )
    assert found == expected
    assert changed is (decision != Decision.TO_REVIEW)
    assert (proposed.decided_by, proposed.match_method, proposed.match_note) == (
        atd_agent,
        "manuel",
        "vu en réunion",
    )
    assert proposed.decided_at is not None
    # The matcher's proposal stays: it is what an ATD sees the publisher by.
    assert proposed.candidate == commune("35206")


def test_publishing_on_behalf_keeps_a_confirmed_match(proposed: Publisher, atd_agent: Any) -> None:
    proposed.decide(Decision.ACCEPT, by=atd_agent)
    proposed.decide(Decision.ON_BEHALF, by=atd_agent, on_behalf_of=commune("35047"))
    proposed.refresh_from_db()
    assert (proposed.territory.code, proposed.match_status, proposed.on_behalf_of.code) == (
        "35206",
        MatchStatus.ACCEPTED,
        "35047",
    )


@pytest.mark.parametrize(
    "decision, options, error, message",
    [
        ("peut-être", {}, DecisionError, "décision inconnue : « peut-être »"),
        (Decision.REASSIGN, {}, TerritoryRequired, "demande une collectivité"),
        (Decision.ON_BEHALF, {}, TerritoryRequired, "demande une collectivité"),
        (
            Decision.REASSIGN,
            {"territory": "2A004"},
            DecisionError,
            "Ajaccio est hors du périmètre de votre ATD",
        ),
        (
            Decision.ON_BEHALF,
            {"on_behalf_of": "2A004"},
            DecisionError,
            "Ajaccio est hors du périmètre de votre ATD",
        ),
    ],
)
def test_a_refused_decision_says_why_in_french_and_changes_nothing(
    proposed: Publisher, atd_agent: Any, decision: str, options: dict[str, str], error: type, message: str
) -> None:
    named = {key: commune(code) for key, code in options.items()}
    perimeter = Area(departements=("35",))
    with pytest.raises(error, match=message):
        proposed.decide(decision, by=atd_agent, perimeter=perimeter, **named)  # type: ignore[arg-type]
    proposed.refresh_from_db()
    assert (proposed.match_status, proposed.territory, proposed.decided_by) == (
        MatchStatus.TO_REVIEW,
        None,
        None,
    )


def test_accepting_needs_a_proposal(proposed: Publisher, atd_agent: Any) -> None:
    proposed.candidate = None
    proposed.save()
    with pytest.raises(TerritoryRequired, match="aucune collectivité proposée : utilisez « rattacher »"):
        proposed.decide(Decision.ACCEPT, by=atd_agent)


def test_the_review_queue_offers_only_its_own_decisions() -> None:
    assert parse_decision("reject", among=REVIEW_DECISIONS) == Decision.REJECT
    # Sending back to review comes from mapping rows only.
    with pytest.raises(DecisionError, match="décision inconnue : « to_review »"):
        parse_decision("to_review", among=REVIEW_DECISIONS)


def test_a_decision_that_changes_nothing_is_recorded_only_when_asked(
    proposed: Publisher, atd_agent: Any
) -> None:
    proposed.decide(Decision.REJECT, by=None, method="import")
    assert proposed.decide(Decision.REJECT, by=atd_agent, record_unchanged=False) is False
    proposed.refresh_from_db()
    assert (proposed.decided_by, proposed.match_method) == (None, "import")
    assert proposed.decide(Decision.REJECT, by=atd_agent, on_behalf_of=Keep.CURRENT) is False
    proposed.refresh_from_db()
    assert (proposed.decided_by, proposed.match_method) == (atd_agent, "manuel")


def test_a_decision_survives_the_next_harvest(
    replay: Replay, harvest_data: Path, small_referentiel: Path, atd_agent: Any
) -> None:
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    packages[0]["organization"] = {"id": "o1", "title": "Bruz"}
    paged_ckan(replay, packages)
    owner = Territory.objects.get(kind="departement", code="35")
    source = HarvestSource.objects.create(name="Portail", kind="ckan", url=replay.url(), owner=owner)
    run_source(source)
    bruz = Publisher.objects.get(source=source, remote_id="o1")
    assert (bruz.match_status, bruz.territory) == (MatchStatus.AUTO, commune("35047"))
    bruz.decide(Decision.REJECT, by=atd_agent)
    run_source(source)
    bruz.refresh_from_db()
    assert (bruz.match_status, bruz.territory, bruz.decided_by) == (MatchStatus.REJECTED, None, atd_agent)
