"""The board's cards and the table's rows are written by Python (pipeline_markup): every text a user or
the référentiel supplies is escaped there, as the template engine would have done."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from odl.atds.models import Atd
from odl.programme.models import Etd, EtdStep
from tests.programme.pipeline_helpers import alice_atd, commune, follow

pytestmark = pytest.mark.django_db

NAME = '<b>Rennes & "Co"</b>'
REASON = "<script>alert(1)</script>"
OTHER = "<i>Voisins</i>"


@pytest.fixture
def hostile(atd_agent: Any) -> tuple[Atd, Etd]:
    atd = alice_atd(atd_agent)
    rennes = commune("35238")
    rennes.nom = NAME
    rennes.save()
    (etd,) = follow(atd, "35238")
    etd.move_to(EtdStep.ABANDON, by=atd_agent, reason=REASON)
    Etd.objects.create(atd=Atd.objects.create(name=OTHER, kind="association"), territory=rennes)
    return atd, etd


@pytest.mark.parametrize("page", ["", "tableau/"])
def test_names_reasons_and_other_atds_are_escaped_on_the_board_and_the_table(
    hostile: tuple[Atd, Etd], atd_client: Client, page: str
) -> None:
    atd, etd = hostile
    html = atd_client.get(f"/suivi/{atd.slug}/{page}").content.decode()
    for raw in (NAME, REASON, OTHER):
        assert raw not in html
    assert "&lt;b&gt;Rennes &amp; &quot;Co&quot;&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "aussi suivie par &lt;i&gt;Voisins&lt;/i&gt;" in html
    assert f'<a href="/suivi/{atd.slug}/etd/{etd.pk}/">' in html


def test_each_card_keeps_its_own_move_form_with_labelled_fields(
    hostile: tuple[Atd, Etd], atd_client: Client
) -> None:
    atd, etd = hostile
    html = atd_client.get(f"/suivi/{atd.slug}/").content.decode()
    card = html[html.index(f'<li class="card etd-card" id="etd-{etd.pk}">') :]
    card = card[: card.index("</li>")]
    assert f'action="/suivi/{atd.slug}/etd/{etd.pk}/etape/"' in card
    assert 'name="csrfmiddlewaretoken" value="' in card
    for field in ("step", "note", "reason"):
        assert f'<label for="board-{field}-{etd.pk}">' in card and f'id="board-{field}-{etd.pk}"' in card
    # The abandon column offers every step but abandon itself.
    assert '<option value="ciblee">Ciblée</option>' in card and 'value="abandon"' not in card
