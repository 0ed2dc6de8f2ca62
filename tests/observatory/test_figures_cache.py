"""A snapshot's figures are computed once and served from the cache; a collectivité's datasets are paged."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from odl.harvest.models import HarvestedDataset
from odl.observatory import indicators
from odl.observatory.history import take_snapshot
from odl.territories.models import Perimeter, Territory


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each computation of a perimeter's figures, by its criteria."""
    calls: list[Any] = []
    real = indicators.measure

    def spy(criteria: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(criteria)
        return real(criteria, *args, **kwargs)

    monkeypatch.setattr(indicators, "measure", spy)
    return calls


def _get(client: Any, url: str, params: dict[str, str]) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(captured.captured_queries)


def test_the_dashboard_computes_a_perimeter_once_per_snapshot(client, harvested, measured, atd_agent):
    take_snapshot()
    url = reverse("observatory:dashboard")
    first, first_queries = _get(client, url, {"departement": "35"})
    assert len(measured) == 1 and first.context["data"]["open"] == 2
    # A visitor without a session gets the kept page: only the snapshots' list is read (the key).
    again, again_queries = _get(client, url, {"departement": "35"})
    assert len(measured) == 1, "the second visit recomputed the figures"
    assert again.content == first.content and again_queries <= 1 < first_queries
    # A signed-in visitor's page is rendered for them, around the kept figures.
    client.force_login(atd_agent)
    signed_in, signed_in_queries = _get(client, url, {"departement": "35"})
    assert signed_in.context is not None and len(measured) == 1
    assert signed_in.context["data"] == first.context["data"]
    assert signed_in.context["points"] == first.context["points"]
    assert signed_in.content != first.content  # their menu
    client.logout()
    # Another perimeter is another key: its own figures, computed once.
    region, _ = _get(client, url, {"region": "53"})
    assert len(measured) == 2 and region.context["data"]["perimeter"] == "Bretagne"
    # The API reads the same cached figures.
    assert client.get("/api/observatoire/indicateurs", {"departement": "35"}).json()["open"] == 2
    assert len(measured) == 2


def test_a_new_snapshot_gives_new_figures(client, harvested, measured):
    take_snapshot()
    url = reverse("observatory:dashboard")
    assert client.get(url, {"departement": "35"}).context["data"]["open"] == 2
    # Rennes stops publishing; retaking the day's snapshot makes a new one, so new figures.
    HarvestedDataset.objects.filter(publisher__territory__code="35238").update(
        archived_at="2020-01-01T00:00Z"
    )
    take_snapshot()
    response = client.get(url, {"departement": "35"})
    assert response.context is not None, "the page of the former snapshot was served"
    assert response.context["data"]["open"] == 1
    assert [p["open"] for p in response.context["points"]] == [1]
    assert len(measured) == 2


def test_a_referentiel_change_gives_new_figures(client, harvested, measured):
    take_snapshot()
    url = reverse("observatory:dashboard")
    before = client.get(url, {"departement": "35"}).context["data"]["population_communes"]
    # An edit in the admin (a saved territory) or a bulk import changes the référentiel version.
    rennes = Territory.objects.get(kind="commune", code="35238")
    rennes.population = (rennes.population or 0) + 1000
    rennes.save()
    after = client.get(url, {"departement": "35"}).context["data"]["population_communes"]
    assert after == before + 1000 and len(measured) == 2


def test_a_saved_perimeter_shares_the_figures_of_its_criteria_not_of_its_owner(
    client, harvested, atd_agent, measured
):
    take_snapshot()
    Perimeter.objects.create(name="Métropole", slug="metropole", query="epci=243500139", owner=atd_agent)
    url = reverse("observatory:dashboard")
    signed_out = client.get(url, {"perimetre": "metropole"}).context["data"]
    client.force_login(atd_agent)
    signed_in = client.get(url, {"perimetre": "metropole"}).context["data"]
    assert signed_in == signed_out and signed_in["perimeter"] == "Métropole"
    assert len(measured) == 1


def _many_datasets(harvested: Any, count: int) -> None:
    HarvestedDataset.objects.bulk_create(
        [
            HarvestedDataset(
                source=harvested.datagouv,
                publisher=harvested.publishers["rennes"],
                remote_id=f"many-{n}",
                title=f"Jeu numéro {n:04d}",
            )
            for n in range(count)
        ]
    )


def test_the_collectivite_page_pages_its_datasets(client, harvested):
    take_snapshot()
    _many_datasets(harvested, 120)
    url = reverse("territories:detail", args=["commune", "35238"])
    html = client.get(url).content.decode()
    assert html.count("Jeu numéro") == 50
    assert "1 à 50 sur 122" in html
    assert 'aria-label="Pages des jeux de données"' in html
    assert "Page 1 sur 3" in html and "?jeux=2#jeux-moissonnes" in html and "Jeux précédents" not in html
    last = client.get(url, {"jeux": "3"}).content.decode()
    assert last.count("Jeu numéro") == 20 and "Jeux suivants" not in last and "?jeux=2#" in last
    # Every dataset is on exactly one page.
    seen = set()
    for page in (1, 2, 3):
        body = client.get(url, {"jeux": str(page)}).content.decode()
        seen |= {part.split("<")[0] for part in body.split("Jeu numéro ")[1:]}
    assert len(seen) == 120
    # A page number that is not one shows a page, never an error.
    assert client.get(url, {"jeux": "abc"}).status_code == 200
    assert client.get(url, {"jeux": "99"}).content.decode().count("Jeu numéro") == 20


def test_the_collectivite_page_costs_the_same_queries_for_3000_datasets_as_for_3(client, harvested):
    take_snapshot()
    url = reverse("territories:detail", args=["commune", "35238"])
    _, few = _get(client, url, {})
    _many_datasets(harvested, 3000)
    response, many = _get(client, url, {"jeux": "2"})
    assert many == few
    assert response.content.decode().count("Jeu numéro") == 50


def test_the_map_and_its_grid_are_kept_per_snapshot(client, harvested):
    take_snapshot()
    grid = reverse("observatory:map_grid")
    first = client.get(grid, {"niveau": "departement"}).json()
    assert next(c for c in first["cells"] if c["code"] == "35")["open_obliged"] == 2
    with CaptureQueriesContext(connection) as captured:
        assert client.get(grid, {"niveau": "departement"}).json() == first
        assert client.get(reverse("observatory:map")).status_code == 200
        assert client.get(reverse("observatory:map")).status_code == 200
    first_map_queries = len(captured.captured_queries)
    HarvestedDataset.objects.filter(publisher__territory__code="35238").update(
        archived_at="2020-01-01T00:00Z"
    )
    take_snapshot()
    after = client.get(grid, {"niveau": "departement"}).json()
    assert next(c for c in after["cells"] if c["code"] == "35")["open_obliged"] == 1
    assert first_map_queries < 10
