"""The board, the table, the ETD page and the « Accompagnement » block of the collectivité page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from odl.accounts.models import EtdAgent
from odl.programme.models import Commitment, CommitmentKind, EtdStep
from tests import personas
from tests.programme.pipeline_helpers import alice_atd, commune, follow

pytestmark = pytest.mark.django_db


def test_the_board_has_a_headed_column_per_step_with_counts_and_cards(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    rennes, bruz = follow(atd, "35238", "35047")
    bruz.move_to(EtdStep.CONTACTEE, by=atd_agent)
    Commitment.objects.create(etd=rennes, kind=CommitmentKind.FREE, due_date=dt.date(2020, 1, 1))
    response = atd_client.get(f"/suivi/{atd.slug}/")
    columns = {c["step"]: c for c in response.context["columns"]}
    assert list(columns) == [
        "ciblee",
        "contactee",
        "convention_signee",
        "en_production",
        "publiee",
        "autonome",
        "abandon",
    ]
    assert [c.etd.territory.nom for c in columns["ciblee"]["cards"]] == ["Rennes"]
    assert [c.etd.territory.nom for c in columns["contactee"]["cards"]] == ["Bruz"]
    page = response.content.decode()
    assert '<h2 id="col-contactee">Contactée <span class="count">(1)</span></h2>' in page
    assert "1 engagement en retard" in page and "227\u202f830 hab." in page
    assert f'action="/suivi/{atd.slug}/etd/{rennes.pk}/etape/"' in page
    assert f'<label for="board-step-{rennes.pk}">Déplacer Rennes vers</label>' in page


def test_moving_a_card_records_date_author_and_note_and_comes_back_to_the_card(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    (rennes,) = follow(atd, "35238")
    response = atd_client.post(
        f"/suivi/{atd.slug}/etd/{rennes.pk}/etape/", {"step": "contactee", "note": "Appel au DGS"}
    )
    assert response["Location"] == f"/suivi/{atd.slug}/#etd-{rennes.pk}"
    rennes.refresh_from_db()
    assert rennes.step == EtdStep.CONTACTEE
    change = rennes.history.first()
    assert change is not None and change.by == atd_agent and change.note == "Appel au DGS"
    assert (timezone.now() - change.at).total_seconds() < 60


def test_an_abandon_without_reason_or_an_unknown_step_is_refused_in_french(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    (rennes,) = follow(atd, "35238")
    url = f"/suivi/{atd.slug}/etd/{rennes.pk}/etape/"
    response = atd_client.post(url, {"step": "abandon"})
    assert "indiquez la raison de l'abandon" in [str(m) for m in get_messages(response.wsgi_request)][0]
    response = atd_client.post(url, {"step": "envolee"})
    assert "l'étape « envolee » est inconnue" in [str(m) for m in get_messages(response.wsgi_request)][-1]
    rennes.refresh_from_db()
    assert rennes.step == EtdStep.CIBLEE and rennes.history.count() == 0
    atd_client.post(url, {"step": "abandon", "reason": "Pas d'agent disponible"})
    rennes.refresh_from_db()
    assert rennes.step == EtdStep.ABANDON and rennes.abandon_reason == "Pas d'agent disponible"


def test_the_board_is_closed_to_other_atds_and_to_anonymous_visitors(atd_agent: Any, citizen: Client) -> None:
    atd = alice_atd(atd_agent)
    other = personas.logged_in(personas.atd_agent("corse", territory=("departement", "2A")))
    assert other.get(f"/suivi/{atd.slug}/").status_code == 403
    assert citizen.get(f"/suivi/{atd.slug}/").status_code == 302
    (rennes,) = follow(atd, "35238")
    assert other.post(f"/suivi/{atd.slug}/etd/{rennes.pk}/etape/", {"step": "contactee"}).status_code == 403


def test_the_table_filters_by_step_kind_departement_and_accentless_search(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    rennes, _, _ = follow(atd, "35238", "35001", "35047")
    rennes.move_to(EtdStep.CONTACTEE, by=atd_agent)

    def names(**params: str) -> list[str]:
        response = atd_client.get(f"/suivi/{atd.slug}/tableau/", params)
        return [c.etd.territory.nom for c in response.context["cards"]]

    assert names() == ["Acigné", "Bruz", "Rennes"]
    assert names(etape="contactee") == ["Rennes"]
    assert names(q="acigne") == ["Acigné"]
    assert names(departement="35", type="commune", tri="-population") == ["Rennes", "Bruz", "Acigné"]
    assert names(type="epci") == []


def test_the_table_paginates_and_sorts_by_column(atd_agent: Any, atd_client: Client) -> None:
    atd = alice_atd(atd_agent)
    follow(atd, "35238", "35001", "35047", "35206", "35024")
    from odl.programme import pipeline_views

    pipeline_views.PAGE_SIZE, saved = 2, pipeline_views.PAGE_SIZE
    try:
        response = atd_client.get(f"/suivi/{atd.slug}/tableau/", {"tri": "population", "page": "2"})
    finally:
        pipeline_views.PAGE_SIZE = saved
    assert [c.etd.territory.nom for c in response.context["cards"]] == ["Betton", "Bruz"]
    page = response.content.decode()
    assert 'aria-sort="ascending"' in page and "Page 2 sur 3" in page


def test_the_table_exports_exactly_the_filtered_rows(atd_agent: Any, atd_client: Client) -> None:
    atd = alice_atd(atd_agent)
    rennes, _ = follow(atd, "35238", "35047")
    rennes.move_to(EtdStep.CONTACTEE, by=atd_agent)
    response = atd_client.get(f"/suivi/{atd.slug}/tableau/export.csv", {"etape": "contactee"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["nom", "type", "code"] and [r[0] for r in rows[1:]] == ["Rennes"]
    assert rows[1][6] == "Contactée"
    for fmt in ("xlsx", "ods"):
        data = atd_client.get(f"/suivi/{atd.slug}/tableau/export.{fmt}", {"q": "bruz"}).content
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        assert [r[0] for r in sheet[1:]] == ["Bruz"]


def test_the_etd_page_is_open_to_the_collectivites_agents_without_the_step_form(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    (rennes,) = follow(atd, "35238")
    rennes.move_to(EtdStep.CONTACTEE, by=atd_agent, note="Premier échange")
    url = f"/suivi/{atd.slug}/etd/{rennes.pk}/"
    # A newcomer of Rennes: refused until the ATD makes them an agent of the collectivité.
    newcomer = get_user_model().objects.create_user("nadia")
    etd_client = personas.logged_in(newcomer)
    assert etd_client.get(url).status_code == 403
    EtdAgent.objects.create(user=newcomer, territory=commune("35238"), atd=atd)
    page = etd_client.get(url).content.decode()
    assert 'data-testid="etd-step"><strong>Contactée</strong>' in page and "Premier échange" in page
    assert "Déplacer Rennes vers" not in page
    assert "Déplacer Rennes vers" in atd_client.get(url).content.decode()


def test_the_collectivite_page_shows_its_atd_and_step_and_notes_only_to_the_atd_staff(
    atd_agent: Any, atd_client: Client, citizen: Client
) -> None:
    atd = alice_atd(atd_agent)
    (rennes,) = follow(atd, "35238")
    rennes.move_to(EtdStep.CONTACTEE, by=atd_agent, note="Note interne")
    public = citizen.get("/collectivites/commune/35238/").content.decode()
    assert 'data-testid="accompaniment"' in public and "ATD Ille-et-Vilaine" in public
    assert "<strong>Contactée</strong>" in public and "Note interne" not in public
    assert "Note interne" in atd_client.get("/collectivites/commune/35238/").content.decode()
    alone = citizen.get("/collectivites/commune/35047/").content.decode()
    assert "Aucun ATD n'accompagne cette collectivité" in alone


def test_a_long_column_shows_those_longest_at_their_step_and_links_to_all_of_them(
    atd_agent: Any, atd_client: Client
) -> None:
    from odl.programme import pipeline

    atd = alice_atd(atd_agent)
    oldest, newest = follow(atd, "35238", "35047")
    oldest.step_changed_at = timezone.now() - dt.timedelta(days=30)
    oldest.save()
    column = pipeline.board_columns(atd, limit=1)[0]
    assert column["count"] == 2 and [c.etd.pk for c in column["cards"]] == [oldest.pk]
    pipeline.BOARD_COLUMN_LIMIT, saved = 1, pipeline.BOARD_COLUMN_LIMIT
    try:
        page = atd_client.get(f"/suivi/{atd.slug}/").content.decode()
    finally:
        pipeline.BOARD_COLUMN_LIMIT = saved
    assert f'href="/suivi/{atd.slug}/tableau/?etape=ciblee">Voir les 2 dans la liste' in page
    assert "depuis 30 jours" in page


def test_the_move_form_offers_the_next_step_first_and_never_preselects_a_step_back(
    atd_agent: Any, atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    (rennes,) = follow(atd, "35238")
    rennes.move_to(EtdStep.CONTACTEE, by=atd_agent)
    page = atd_client.get(f"/suivi/{atd.slug}/etd/{rennes.pk}/").content.decode()
    assert '<option value="convention_signee" selected>Convention signée</option>' in page
    assert '<option value="ciblee">Ciblée</option>' in page
    assert page.count(" selected>") == 1
    # From the last column or from abandon, nothing is chosen for the user.
    rennes.move_to(EtdStep.ABANDON, by=atd_agent, reason="Fusion de communes")
    page = atd_client.get(f"/suivi/{atd.slug}/etd/{rennes.pk}/").content.decode()
    assert '<option value="ciblee">Ciblée</option>' in page and " selected>" not in page
