"""The communes' suggestions behind the forms' autocomplete: by name or code, 10 at most, one query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from odl.core.text import fold
from odl.territories.models import Kind, Territory
from tests import personas

pytestmark = pytest.mark.django_db
URL = "/recherche/communes.json"


@pytest.fixture
def member(small_referentiel: Path) -> Client:
    return personas.logged_in(personas.etd_agent())


def _codes(client: Client, q: str) -> list[str]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return [r["code"] for r in response.json()["results"]]


def test_only_signed_in_members_may_ask(small_referentiel: Path) -> None:
    response = Client().get(URL, {"q": "Rennes"})
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_a_name_accents_and_case_aside_gives_the_communes_only(member: Client) -> None:
    assert _codes(member, "pace") == ["35206"]  # Pacé, not its commune déléguée Pacé-le-Vieux
    assert _codes(member, "SAINT") == ["22278", "97502"]  # the commune associée is left out
    [rennes] = member.get(URL, {"q": "renn"}).json()["results"]
    assert rennes == {"code": "35238", "nom": "Rennes", "departement": "35", "label": "Rennes (35) – 35238"}


def test_a_code_comes_first_and_a_short_or_odd_query_gives_nothing(member: Client) -> None:
    assert _codes(member, "35047")[0] == "35047"
    assert _codes(member, "2a004") == ["2A004"]
    # The beginning of a code, most populated first: a code is typed from its first digits.
    assert _codes(member, "350") == ["35047", "35024", "35001", "35002"]
    assert _codes(member, "2a") == ["2A004"]
    assert _codes(member, "35000") == ["35238"]  # a postcode: Rennes
    assert _codes(member, "r") == []
    assert _codes(member, "") == []
    assert _codes(member, "%_'\"<script>") == []
    assert member.get(URL, {"q": "x" * 5000}).status_code == 200


def test_ten_at_most_the_most_populated_first_in_one_query(
    member: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(15):
        Territory.objects.create(
            kind=Kind.COMMUNE,
            code=f"35{500 + i}",
            nom=f"Villeneuve {i}",
            departement_code="35",
            population=1000 + i,
            search_text=fold(f"Villeneuve {i}"),
        )
    member.get(URL, {"q": "villeneuve"})  # the session and the user are read once
    with django_assert_max_num_queries(4) as context:
        results = member.get(URL, {"q": "villeneuve"}).json()["results"]
    assert len(results) == 10
    assert [r["nom"] for r in results[:2]] == ["Villeneuve 14", "Villeneuve 13"]
    territory_queries = [q for q in context.captured_queries if "territories_territory" in q["sql"]]
    assert len(territory_queries) == 1
