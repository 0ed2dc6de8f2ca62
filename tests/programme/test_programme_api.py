"""The API: the public ATD network, and an ATD's follow-up for its team and coordinators only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from odl.programme.models import Attendance, Commitment, CommitmentKind, Etd, Meeting
from odl.territories.models import Territory
from tests import personas
from tests.programme.dashboards_fixtures import Followed, followed_atd


@pytest.fixture
def followed(atd_agent: Any) -> Followed:
    return followed_atd(atd_agent)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)


def grow(followed: Followed, n: int, start: int) -> None:
    """n more ETDs, each with a history, a commitment and an attendance."""
    meeting = Meeting.objects.create(atd=followed.atd, starts_at=timezone.now())
    for i in range(start, start + n):
        territory = Territory.objects.create(
            kind="commune",
            code=f"35{900 + i}",
            nom=f"Commune {i}",
            departement_code="35",
            region_code="53",
            siren=f"2135{i:05d}",
        )
        etd = Etd.objects.create(atd=followed.atd, territory=territory)
        etd.move_to("contactee", by=None, note="appel")
        Commitment.objects.create(etd=etd, kind=CommitmentKind.FREE, text="Atelier", due_date=dt.date.today())
        Attendance.objects.create(meeting=meeting, etd=etd, status="present")


def test_the_atd_list_is_public_with_perimeter_offer_contact_and_etd_count(
    citizen: Client, followed: Followed
) -> None:
    data = citizen.get("/api/atds").json()
    assert data["count"] == 1
    atd = data["results"][0]
    assert atd["nom"] == followed.atd.name and atd["etd_count"] == 4
    assert atd["perimetre"] == [{"kind": "departement", "code": "35", "nom": "Ille-et-Vilaine"}]
    assert atd["structure_siren"] == followed.atd.structure.siren
    assert set(atd["offre"]) == {"animation", "formation", "outils", "portail_mutualise", "precisions"}
    one = citizen.get(f"/api/atds/{followed.atd.slug}").json()
    assert one == atd
    assert citizen.get("/api/atds/inconnu").status_code == 404
    bad = citizen.get("/api/atds?page_size=5000")
    assert bad.status_code == 400 and "page_size" in bad.json()["detail"]


def test_a_visitor_gets_401_and_another_atd_403_with_a_french_message(
    followed: Followed, citizen: Client
) -> None:
    other = personas.logged_in(personas.atd_agent("bob", territory=("region", "53"), atd_name="ATD Bretagne"))
    for part in ("etds", "engagements", "reunions"):
        url = f"/api/suivi/{followed.atd.slug}/{part}"
        refused = citizen.get(url)
        assert refused.status_code == 401 and "Connectez-vous" in refused.json()["detail"]
        forbidden = other.get(url)
        assert forbidden.status_code == 403 and "réservé à son équipe" in forbidden.json()["detail"]


def test_the_team_and_coordinators_read_the_pipeline_commitments_and_meetings(
    atd_client: Client, coordinator_client: Client, followed: Followed
) -> None:
    slug = followed.atd.slug
    etds = atd_client.get(f"/api/suivi/{slug}/etds").json()
    assert etds["count"] == 4
    rennes = next(e for e in etds["results"] if e["code"] == "35238")
    assert rennes["etape"] == "publiee"
    assert [h["etape"] for h in rennes["historique"]] == ["publiee", "convention_signee", "contactee"]
    commitments = coordinator_client.get(f"/api/suivi/{slug}/engagements").json()
    assert commitments["count"] == 3
    assert {c["statut"] for c in commitments["results"]} == {"tenu", "a_faire"}
    meetings = atd_client.get(f"/api/suivi/{slug}/reunions?page_size=1").json()
    assert meetings["count"] == 2 and len(meetings["results"]) == 1
    assert {p["presence"] for p in meetings["results"][0]["presences"]} == {"present", "absent"}


def test_the_follow_up_endpoints_do_not_query_once_per_row(atd_client: Client, followed: Followed) -> None:
    for part in ("etds", "engagements", "reunions"):
        url = f"/api/suivi/{followed.atd.slug}/{part}?page_size=200"
        grow(followed, 3, start=len(part) * 10)
        few = queries(atd_client, url)
        grow(followed, 6, start=len(part) * 10 + 3)
        assert queries(atd_client, url) == few, part
    few = queries(atd_client, "/api/atds")
    personas.atd_agent("bob", territory=("region", "53"), atd_name="ATD Bretagne")
    assert queries(atd_client, "/api/atds") == few


def test_the_openapi_description_documents_the_programme_in_french(citizen: Client) -> None:
    schema = citizen.get("/api/openapi.json").json()
    assert "/api/atds" in schema["paths"] and "/api/suivi/{slug}/engagements" in schema["paths"]
    operation = schema["paths"]["/api/suivi/{slug}/etds"]["get"]
    assert "Réservé à l'équipe de l'ATD" in operation["description"]
    assert operation["security"]
