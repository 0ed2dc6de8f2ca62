"""An ATD decides only inside its perimeter; its sources do not count collectivités of other ATDs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from odl.harvest.harvesters.items import HarvestedItem, PublisherRef
from odl.harvest.harvesters.runner import store
from odl.harvest.models import Decision, DecisionError, HarvestSource, MatchStatus, Publisher
from odl.territories.models import Area, Territory

pytestmark = pytest.mark.django_db
ILLE_ET_VILAINE = Area(departements=("35",))


def territory(kind: str, code: str) -> Territory:
    return Territory.objects.get(kind=kind, code=code)


@pytest.fixture
def atd_source(small_referentiel: Path, atd_agent: Any) -> HarvestSource:
    """A source of the Ille-et-Vilaine ATD: its publishers are visible to that ATD."""
    return HarvestSource.objects.create(
        name="Portail régional",
        kind="ckan",
        url="https://portail.example.fr",
        owner=territory("departement", "35"),
    )


@pytest.fixture
def stale_outside(atd_source: HarvestSource) -> Publisher:
    """Harvested by the ATD's source, but the matcher proposes Saint-Brieuc (Côtes-d'Armor)."""
    return Publisher.objects.create(
        source=atd_source,
        remote_id="sb",
        name="Ville de Saint-Brieuc",
        match_status=MatchStatus.TO_REVIEW,
        candidate=territory("commune", "22278"),
    )


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.NOT_COLLECTIVITE, Decision.ACCEPT])
def test_an_atd_cannot_decide_on_a_proposal_outside_its_perimeter(
    stale_outside: Publisher, atd_agent: Any, decision: Decision
) -> None:
    with pytest.raises(DecisionError, match="Saint-Brieuc.*hors du périmètre de votre ATD"):
        stale_outside.decide(decision, by=atd_agent, perimeter=ILLE_ET_VILAINE)
    stale_outside.refresh_from_db()
    assert (stale_outside.match_status, stale_outside.decided_by) == (MatchStatus.TO_REVIEW, None)


def test_a_coordinator_still_decides_on_it(stale_outside: Publisher, coordinator: Any) -> None:
    stale_outside.decide(Decision.REJECT, by=coordinator)
    stale_outside.refresh_from_db()
    assert stale_outside.match_status == MatchStatus.REJECTED


def test_the_review_page_refuses_the_atd_decision_with_a_french_message(
    stale_outside: Publisher, atd_client: Client
) -> None:
    response = atd_client.post(
        reverse("harvest:decide", args=[stale_outside.pk]), {"action": "not_collectivite"}, follow=True
    )
    assert "hors du périmètre de votre ATD" in response.content.decode()
    stale_outside.refresh_from_db()
    assert stale_outside.match_status == MatchStatus.TO_REVIEW


def item(remote_id: str, name: str, siren: str) -> HarvestedItem:
    return HarvestedItem(
        remote_id=remote_id,
        title=f"Budget {name}",
        publisher=PublisherRef(remote_id=f"org-{remote_id}", name=name, business_number=siren),
    )


def test_an_atd_source_queues_a_publisher_outside_its_perimeter_for_the_coordinators(
    atd_source: HarvestSource, atd_agent: Any
) -> None:
    store(
        atd_source,
        [item("a", "Ville de Saint-Brieuc", "212202782"), item("b", "Ville de Rennes", "213502388")],
    )
    outside = Publisher.objects.get(source=atd_source, remote_id="org-a")
    inside = Publisher.objects.get(source=atd_source, remote_id="org-b")
    # Rennes lies in the ATD's perimeter: counted. Saint-Brieuc does not: proposed, not counted.
    assert (inside.match_status, inside.territory.code if inside.territory else None) == (
        MatchStatus.AUTO,
        "35238",
    )
    assert (outside.match_status, outside.territory, outside.candidate) == (
        MatchStatus.TO_REVIEW,
        None,
        territory("commune", "22278"),
    )
    assert "coordination nationale" in outside.match_note
    assert list(Publisher.objects.confirmed().filter(source=atd_source)) == [inside]
    # And the ATD cannot settle it itself.
    with pytest.raises(DecisionError):
        outside.decide(Decision.ACCEPT, by=atd_agent, perimeter=ILLE_ET_VILAINE)


def test_a_national_source_still_counts_the_same_publisher(small_referentiel: Path) -> None:
    national = HarvestSource.objects.create(name="National", kind="ckan", url="https://national.example.fr")
    store(national, [item("a", "Ville de Saint-Brieuc", "212202782")])
    found = Publisher.objects.get(source=national)
    assert (found.match_status, found.territory) == (MatchStatus.AUTO, territory("commune", "22278"))
