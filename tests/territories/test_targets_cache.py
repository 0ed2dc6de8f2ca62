"""The ciblage of some criteria is computed once per référentiel version; its exports' bytes too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from odl.core import exports
from odl.territories import targeting
from odl.territories.models import Kind, Territory

pytestmark = pytest.mark.usefixtures("small_referentiel")


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each computation of a ciblage, by its criteria."""
    calls: list[Any] = []
    real = targeting.compute_targets

    def spy(criteria: Any) -> Any:
        calls.append(criteria)
        return real(criteria)

    monkeypatch.setattr(targeting, "compute_targets", spy)
    return calls


def test_the_second_visit_of_a_ciblage_does_not_recompute_it(client: Client, computed: list[Any]) -> None:
    first = client.get("/ciblage/", {"region": "53"})
    again = client.get("/ciblage/", {"region": "53"})
    assert len(computed) == 1
    assert again.context is None and again.content == first.content  # the kept page
    # The API and the other pages of the same criteria read the same rows.
    assert client.get("/api/targets", {"region": "53"}).json()["count"] == len(first.context["result"].rows)
    assert client.get("/ciblage/", {"region": "53", "page": "2"}).status_code == 200
    assert len(computed) == 1
    # Other criteria are another key.
    client.get("/ciblage/", {"region": "53", "kind": "commune"})
    client.get("/ciblage/", {"region": "53", "seuil": "10000"})
    assert len(computed) == 3


def test_an_export_is_rendered_once_per_criteria_and_format(
    client: Client, computed: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    real = exports.render

    def spy(fmt: str, *args: Any, **kwargs: Any) -> bytes:
        rendered.append(fmt)
        return real(fmt, *args, **kwargs)

    monkeypatch.setattr(exports, "render", spy)
    first = client.get("/ciblage/export.xlsx")
    again = client.get("/ciblage/export.xlsx")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and rendered == ["xlsx"]
    semicolons = client.get("/ciblage/export.csv").content
    commas = client.get("/ciblage/export.csv", {"sep": "virgule"}).content
    assert semicolons != commas and rendered == ["xlsx", "csv", "csv"]
    # The page and every export of France share one computation of the ciblage.
    client.get("/ciblage/")
    assert len(computed) == 1


def test_a_referentiel_change_invalidates_the_ciblage(
    client: Client, computed: list[Any], tmp_path: Path
) -> None:
    def obligation(code: str) -> str:
        response = client.get("/ciblage/", {"departement": "35", "kind": "commune", "toutes": "1"})
        assert response.context is not None, "the page of the former référentiel was served"
        return next(r["obligation"] for r in response.context["result"].rows if r["code"] == code)

    assert obligation("35047") != "non"
    # A bulk import (``update``, no signal) changes the référentiel version.
    path = tmp_path / "effectifs.csv"
    path.write_text("code_insee,effectif\n35047,12\n", encoding="utf-8")
    call_command("import_agents", str(path))
    assert obligation("35047") == "non"
    # So does an edit saved in the admin.
    acigne = Territory.objects.get(kind=Kind.COMMUNE, code="35047")
    acigne.agents = 80
    acigne.save()
    assert obligation("35047") == "oui"
    assert len(computed) == 3
    # A new load of the référentiel too.
    from odl.territories.loader import load_referentiel

    load_referentiel(Path(__file__).parent / "fixtures" / "referentiel", cog_year=2026)
    obligation("35047")
    assert len(computed) == 4


def test_a_signed_in_page_is_never_served_to_anyone_else(client: Client, atd_agent: Any) -> None:
    # Signed in, the ciblage offers to save the perimeter (a form with a CSRF token).
    client.force_login(atd_agent)
    mine = client.get("/ciblage/", {"region": "53"}).content.decode()
    assert "csrfmiddlewaretoken" in mine
    client.logout()
    visitor = Client()
    for _ in range(2):
        page = visitor.get("/ciblage/", {"region": "53"}).content.decode()
        assert "csrfmiddlewaretoken" not in page and atd_agent.email not in page
    # And the page kept for visitors is not served to a signed-in user.
    client.force_login(atd_agent)
    assert "csrfmiddlewaretoken" in client.get("/ciblage/", {"region": "53"}).content.decode()
