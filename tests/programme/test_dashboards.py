"""The ATD's dashboard, its yearly activity report (ODT and PDF read back) and the coordination page."""

from __future__ import annotations

import io
import shutil
import subprocess
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from odl.core.documents import pdf_available
from odl.core.text import format_date_fr, format_int_fr
from odl.observatory.indicators import measure
from odl.programme import dashboard
from odl.programme.models import Commitment
from tests import personas
from tests.programme.dashboards_fixtures import Followed, followed_atd


@pytest.fixture
def followed(atd_agent: Any) -> Followed:
    return followed_atd(atd_agent)


def odt_text(data: bytes) -> str:
    from odfdo import Document

    body = Document(io.BytesIO(data)).body
    return "\n".join(p.text_recursive for p in body.get_headers() + body.get_paragraphs())


def test_the_dashboard_shows_the_funnel_overdue_commitments_meetings_publication_and_rate(
    atd_client: Client, followed: Followed
) -> None:
    response = atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug]))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    steps = {row["step"]: row["count"] for row in response.context["steps"]}
    assert steps == {
        "ciblee": 0,
        "contactee": 1,
        "convention_signee": 1,
        "en_production": 0,
        "publiee": 1,
        "autonome": 0,
        "abandon": 1,
    }
    assert 'data-step="publiee">1<' in html
    assert "Publier le jeu scdl/deliberations" in html and "Bruz" in html
    assert "Point mensuel de janvier" in html and "Point de rentrée" not in html
    publication = {row.etd.territory.code: row for row in response.context["publication"].rows}
    assert publication["35238"].is_open and publication["35238"].datasets == 7
    assert not publication["35047"].is_open and "35024" not in publication  # abandon left out
    assert "scdl/subventions" in html and "Ille-et-Vilaine (35)" in html
    rate = response.context["rate"]
    assert len(rate.points) == 2
    assert rate.figures["open_obliged"] == 2  # Rennes and the département
    assert "Moissonnage test" in html and "instantané du" in html  # source and date of the figure
    assert 'id="funnel-chart"' in html and "vendor/chartjs/chart.umd.min.js" in html


def test_the_open_rate_of_the_perimeter_is_the_observatory_measure_of_the_atd_area(
    followed: Followed,
) -> None:
    rate = dashboard.open_rate(followed.atd)
    expected = measure(dashboard.criteria_of(followed.atd), followed.snapshot).figures
    assert rate.figures["rate_obliged"] == expected["rate_obliged"]
    assert rate.figures["obliged"] == expected["obliged"] > 0


def test_the_dashboard_is_refused_to_another_atd_and_to_a_visitor(
    followed: Followed, citizen: Client, small_referentiel: Any
) -> None:
    other = personas.atd_agent("bob", territory=("region", "53"), atd_name="ATD Bretagne")
    url = reverse("programme:dashboard", args=[followed.atd.slug])
    assert personas.logged_in(other).get(url).status_code == 403
    assert citizen.get(url).status_code == 302


def test_the_dashboard_says_what_to_do_without_any_snapshot(atd_client: Client, atd_agent: Any) -> None:
    from odl.atds.models import Atd

    atd = Atd.objects.get(memberships__user=atd_agent)
    html = atd_client.get(reverse("programme:dashboard", args=[atd.slug])).content.decode()
    assert "odl import_observatoire" in html


def test_the_yearly_report_odt_holds_the_figures_the_database_holds(
    atd_client: Client, followed: Followed
) -> None:
    year = timezone.localdate().year
    response = atd_client.get(reverse("programme:report", args=[followed.atd.slug, year, "odt"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    text = odt_text(response.content)
    figures = dashboard.year_figures(followed.atd, year)
    assert f"Rapport d'activité {year}" in text
    assert f"{figures.etds_total} collectivités suivies" in text and figures.etds_total == 4
    assert "2 conventions signées" in text
    assert "1 engagements tenus" in text and "1 en retard" in text
    assert "1 réunions tenues" in text and "2 présents" in text and "1 absents" in text
    assert "66,7 %" in text  # 2 present of 3
    rate = figures.rate.figures
    assert (
        f"{rate['open_obliged']} collectivités ouvertes sur {format_int_fr(rate['obliged'])} obligées" in text
    )
    assert "Source : Moissonnage test" in text
    assert "Source : Suivi de l'accompagnement" in text
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sum(name.endswith(".svg") for name in names) == 3  # steps, ETDs' publication, open rate
    # The ETDs' publication, as on the dashboard's map, with its snapshot as source.
    assert "Ce que publient les collectivités accompagnées" in text
    assert "Sur 3 collectivités accompagnées (hors abandons) : 1 publie des jeux SCDL" in text
    assert "2 ne publie pas encore" in text
    assert (
        f"Source : Moissonnage test (Moissonnage de la plateforme), instantané du {format_date_fr(followed.snapshot.date)}"
        in text
    )


def test_steps_at_the_end_of_a_past_year_ignore_later_changes(followed: Followed) -> None:
    year = timezone.localdate().year - 1
    figures = dashboard.year_figures(followed.atd, year)
    assert figures.etds_total == 0 and figures.conventions_signed == []


@pytest.mark.skipif(not pdf_available() or shutil.which("pdftotext") is None, reason="LibreOffice absent")
def test_the_yearly_report_pdf_holds_the_same_figures(atd_client: Client, followed: Followed) -> None:
    year = timezone.localdate().year
    response = atd_client.get(reverse("programme:report", args=[followed.atd.slug, year, "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "2 conventions signées" in flat and "1 réunions tenues" in flat


def test_the_pdf_report_says_why_when_libreoffice_is_missing(
    atd_client: Client, followed: Followed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("odl.core.documents._soffice", lambda: None)
    year = timezone.localdate().year
    response = atd_client.get(reverse("programme:report", args=[followed.atd.slug, year, "pdf"]))
    assert response.status_code == 503
    assert "LibreOffice n'est pas installé" in unescape(response.content.decode())
    html = unescape(atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug])).content.decode())
    assert "Le PDF n'est pas proposé" in html


def test_a_report_for_an_impossible_year_gets_a_french_message(
    atd_client: Client, followed: Followed
) -> None:
    response = atd_client.get(reverse("programme:report", args=[followed.atd.slug, 1899, "odt"]))
    assert response.status_code == 404 and "Année « 1899 » impossible" in response.content.decode()


def test_the_coordinator_sees_every_atd_side_by_side_sorted_and_exported(
    coordinator_client: Client, followed: Followed
) -> None:
    personas.atd_agent("bob", territory=("region", "53"), atd_name="ATD Bretagne")
    response = coordinator_client.get(reverse("programme:coordination") + "?tri=-etd_total")
    assert response.status_code == 200
    rows = response.context["result"].rows
    assert [r["nom"] for r in rows] == [followed.atd.name, "ATD Bretagne"]
    first = rows[0]
    assert first["etd_total"] == 4 and first["conventions_signees"] == 2
    assert first["engagements_tenus"] == 1 and first["engagements_en_retard"] == 1
    assert first["reunions_90_jours"] == 1
    assert first["taux_ouverture"] == dashboard.open_rate(followed.atd).figures["rate_obliged"]
    ascending = coordinator_client.get(reverse("programme:coordination") + "?tri=etd_total").context["result"]
    assert [r["nom"] for r in ascending.rows] == ["ATD Bretagne", followed.atd.name]
    csv = coordinator_client.get(reverse("programme:coordination_export", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    assert "Conventions signées" in csv.splitlines()[0] and followed.atd.name in csv
    for fmt in ("xlsx", "ods"):
        response = coordinator_client.get(reverse("programme:coordination_export", args=[fmt]))
        assert response.status_code == 200
        # Named after the day in France, even between midnight in Paris and midnight UTC.
        assert f"coordination-atd-{timezone.localdate().isoformat()}.{fmt}" in response["Content-Disposition"]


def test_the_coordination_page_is_for_coordinators_only(atd_client: Client, followed: Followed) -> None:
    assert atd_client.get(reverse("programme:coordination")).status_code == 403
    assert Commitment.objects.overdue().count() == 1
