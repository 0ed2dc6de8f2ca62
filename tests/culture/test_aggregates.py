"""What the ATD sees of a campaign: figures per group, k-anonymity everywhere, trend and exports."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from odl.culture import aggregates
from odl.culture.models import Campaign
from odl.programme.models import Etd
from odl.territories.models import Territory
from tests import personas
from tests.culture.conftest import respond


@pytest.fixture
def bruz(rennes_etd: Etd) -> Etd:
    return Etd.objects.create(
        atd=rennes_etd.atd, territory=Territory.objects.get(kind="commune", code="35047")
    )


def _respond_many(campaign: Campaign, etd: Etd | None, levels: list[int], role: str = "metier") -> None:
    for level in levels:
        respond(campaign, etd, level, role=role)


def test_figures_per_domain_share_below_50_and_collectivity_recommendations(
    campaign: Campaign, rennes_etd: Etd
) -> None:
    # Level 0 with a wrong check → 0; level 3 with a right one → 81. 3 of 10 below 50: exactly 30 %.
    _respond_many(campaign, rennes_etd, [0, 0, 0, 3, 3, 3, 3, 3, 3, 3])
    result = aggregates.figures(campaign)
    publication = next(d for d in result.total.domains if d.code == "publication")
    assert (publication.scored, publication.mean, publication.below) == (10, 57, 30)
    titles = [r.title for r in result.total.recommendations]
    assert "Atelier publication SCDL" in titles and len(titles) == 7
    assert result.by_etd[0].label == "Rennes" and not result.by_etd[0].hidden


def test_a_group_of_fewer_than_five_shows_no_figure_anywhere(campaign: Campaign, rennes_etd: Etd) -> None:
    _respond_many(campaign, rennes_etd, [1, 1, 1, 1])
    result = aggregates.figures(campaign)
    for group in result.groups():
        assert group.hidden == aggregates.HIDDEN_TEXT
        assert all(d.mean is None and d.below is None for d in group.domains)
        assert group.recommendations == []
    assert aggregates.distribution(campaign, aggregates.TOTAL_KEY) is None
    atd_client = personas.logged_in(personas.atd_agent())
    html = atd_client.get(f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/").content.decode()
    assert "moins de 5 réponses : les résultats s'afficheront à partir de 5 répondants" in html
    assert "Réponses question par question" in html and "aucune distribution n'est montrée" in html
    csv = atd_client.get(f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/export.csv").content.decode(
        "utf-8-sig"
    )
    assert "moins de 5 réponses" in csv and ";31;" not in csv


def test_one_small_collectivite_hides_the_smallest_other_too(
    campaign: Campaign, rennes_etd: Etd, bruz: Etd
) -> None:
    # Rennes 6, Bruz 2, total 8: showing Rennes beside the total would reveal Bruz's pair.
    _respond_many(campaign, rennes_etd, [3] * 6)
    _respond_many(campaign, bruz, [0, 0])
    result = aggregates.figures(campaign)
    assert not result.total.hidden
    by_name = {g.label: g for g in result.by_etd}
    assert by_name["Bruz"].hidden == aggregates.HIDDEN_TEXT
    assert by_name["Rennes"].hidden == aggregates.COMPLEMENT_TEXT
    assert all(d.mean is None for g in result.by_etd for d in g.domains)
    assert aggregates.distribution(campaign, f"etd-{bruz.pk}") is None


def test_a_domain_scored_by_fewer_than_five_hides_its_cell(campaign: Campaign, rennes_etd: Etd) -> None:
    from odl.culture import answering
    from odl.culture.models import Item

    _respond_many(campaign, rennes_etd, [2] * 4)
    # A fifth respondent answers « je ne sais pas » in publication only: 5 respondents, 4 scored there.
    chosen: dict[int, int | None] = {}
    for item in Item.objects.active().select_related("domain"):
        chosen[item.pk] = None if item.domain.code == "publication" else (item.correct_option or 2)
    answering.submit(campaign, {"etd": rennes_etd, "role": "metier", "service": "x"}, chosen)
    result = aggregates.figures(campaign)
    publication = next(d for d in result.total.domains if d.code == "publication")
    assert (publication.scored, publication.mean, publication.hidden) == (4, None, aggregates.HIDDEN_TEXT)
    assert all(d.mean is not None for d in result.total.domains if d.code != "publication")


def test_roles_are_a_breakdown_under_the_same_rule(campaign: Campaign, rennes_etd: Etd) -> None:
    _respond_many(campaign, rennes_etd, [2] * 5, role="metier")
    _respond_many(campaign, rennes_etd, [2] * 5, role="dsi")
    _respond_many(campaign, rennes_etd, [2], role="elu")
    groups = {g.key: g for g in aggregates.figures(campaign).by_role}
    assert groups["role-elu"].hidden == aggregates.HIDDEN_TEXT
    assert sum(1 for g in groups.values() if g.hidden == aggregates.COMPLEMENT_TEXT) == 1


def test_the_item_distribution_counts_each_answer_and_je_ne_sais_pas(
    campaign: Campaign, rennes_etd: Etd
) -> None:
    _respond_many(campaign, rennes_etd, [0, 1, 1, 4, 4, 4])
    items = aggregates.distribution(campaign, aggregates.TOTAL_KEY)
    assert items is not None and len(items) == 28
    first = items[0]
    assert first.code == "vocabulaire-donnee"
    assert [c for _o, c, _r in first.counts] == [1, 2, 0, 0, 3] and first.dont_know == 0 and first.total == 6
    check = next(i for i in items if i.code == "vocabulaire-verification")
    assert [(c, right) for _o, c, right in check.counts] == [(3, True), (3, False), (0, False), (0, False)]


def test_the_aggregates_page_and_exports_for_the_atd(campaign: Campaign, rennes_etd: Etd) -> None:
    _respond_many(campaign, rennes_etd, [0, 0, 0, 3, 3, 3, 3, 3, 3, 3])
    client = personas.logged_in(personas.atd_agent())
    base = f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/"
    html = client.get(base).content.decode()
    # The recommended format is a fiche of the planner: the recommendation links to it.
    assert "10 réponses" in html
    assert 'href="/animations/formats/atelier-manipulation-donnees/">Atelier publication SCDL</a>' in html
    assert "Atelier publication SCDL</a> — 30 % des répondants (Publication des données)" in html
    assert html.count('<table class="data distribution">') == 28
    csv = client.get(base + "export.csv").content.decode("utf-8-sig")
    assert "territoire;Tout le territoire de l'ATD;10;Publication des données;10;57;30" in csv
    xlsx = openpyxl.load_workbook(io.BytesIO(client.get(base + "export.xlsx").content), read_only=True)
    rows = list(xlsx.active.iter_rows(values_only=True))
    assert rows[0][0] == "groupe" and ("territoire", "Tout le territoire de l'ATD", 10) == rows[1][:3]
    ods = zipfile.ZipFile(io.BytesIO(client.get(base + "export.ods").content))
    assert "Publication des données" in ods.read("content.xml").decode()
    questions = client.get(base + "export.csv?tableau=questions&groupe=tout").content.decode("utf-8-sig")
    assert "Je ne sais pas;0" in questions and "oui" in questions
    assert client.get(base + "export.pdf").status_code == 404


def test_exports_neutralise_formula_like_labels(campaign: Campaign, rennes_etd: Etd) -> None:
    _respond_many(campaign, rennes_etd, [2] * 5)
    client = personas.logged_in(personas.atd_agent())
    csv = client.get(
        f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/export.csv?tableau=questions"
    ).content.decode("utf-8-sig")
    assert ";'+25 %;" in csv


def test_the_trend_between_two_campaigns(campaign: Campaign, rennes_etd: Etd) -> None:
    earlier = Campaign.objects.create(
        atd=campaign.atd, title="Positionnement 2025", closes_on=timezone.localdate() + dt.timedelta(days=1)
    )
    _respond_many(earlier, rennes_etd, [1] * 5)
    _respond_many(campaign, rennes_etd, [3] * 5)
    before, after = aggregates.figures(earlier), aggregates.figures(campaign)
    rows = aggregates.trend(before, after)
    assert {(r.before.mean, r.after.mean, r.delta, r.below_delta) for r in rows} == {(19, 81, 62, -100)}
    client = personas.logged_in(personas.atd_agent())
    html = client.get(
        f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/?comparer={earlier.pk}"
    ).content.decode()
    assert "De « Positionnement 2025 » à « Positionnement 2026 »" in html and "+62" in html


def test_the_trend_keeps_k_anonymity(campaign: Campaign, rennes_etd: Etd) -> None:
    earlier = Campaign.objects.create(atd=campaign.atd, title="Avant", closes_on=timezone.localdate())
    _respond_many(earlier, rennes_etd, [1] * 3)
    _respond_many(campaign, rennes_etd, [3] * 5)
    rows = aggregates.trend(aggregates.figures(earlier), aggregates.figures(campaign))
    assert all(r.before.mean is None and r.delta is None for r in rows)


def test_the_etd_agent_sees_only_her_collectivite_and_opens_her_own_campaign(
    campaign: Campaign, rennes_etd: Etd, bruz: Etd
) -> None:
    _respond_many(campaign, rennes_etd, [3] * 5)
    _respond_many(campaign, bruz, [0] * 5)
    agent = personas.logged_in(personas.etd_agent())
    base = f"/culture/{campaign.atd.slug}/etd/{rennes_etd.pk}/"
    html = agent.get(base + f"campagne/{campaign.pk}/").content.decode()
    assert "5 réponses d'agents de Rennes" in html and "Bruz" not in html
    page = agent.post(
        base,
        {
            "title": "Nos agents",
            "closes_on": timezone.localdate().isoformat(),
            "retention_months": 12,
            "consent_text": "Texte",
            "anonymous": "on",
        },
    )
    assert page.status_code == 302
    own = Campaign.objects.get(title="Nos agents")
    assert own.etd == rennes_etd and own.atd == campaign.atd
    assert agent.get(f"/culture/{campaign.atd.slug}/etd/{bruz.pk}/").status_code == 403
    other = Campaign.objects.create(
        atd=campaign.atd, etd=bruz, title="Bruz seule", closes_on=timezone.localdate()
    )
    assert agent.get(base + f"campagne/{other.pk}/").status_code == 404


def test_the_atd_opens_a_campaign_and_bad_dates_are_refused_in_french(campaign: Campaign) -> None:
    client = personas.logged_in(personas.atd_agent())
    url = f"/culture/{campaign.atd.slug}/"
    data: dict[str, Any] = {
        "title": "Automne",
        "retention_months": 24,
        "consent_text": "Texte",
        "anonymous": "on",
    }
    late = client.post(url, {**data, "closes_on": "2001-01-01"})
    assert late.status_code == 400 and "La date de clôture est passée" in late.content.decode()
    long = client.post(url, {**data, "closes_on": timezone.localdate().isoformat(), "retention_months": 99})
    assert "La durée de conservation va de 1 à 60 mois" in long.content.decode()
    assert client.post(url, {**data, "closes_on": timezone.localdate().isoformat()}).status_code == 302
    created = Campaign.objects.get(title="Automne")
    assert len(created.token) >= 32 and created.etd is None
    listing = client.get(url).content.decode()
    assert f"/questionnaire/{created.token}/" in listing


def test_a_named_campaign_lists_its_respondents_for_the_atd(campaign: Campaign, rennes_etd: Etd) -> None:
    campaign.anonymous = False
    campaign.save()
    from odl.culture.models import Response

    respond(campaign, rennes_etd, 3)
    Response.objects.update(name="Camille Agent")
    client = personas.logged_in(personas.atd_agent())
    html = client.get(f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/").content.decode()
    assert "Camille Agent" in html
    campaign.anonymous = True
    campaign.save()
    assert (
        "Camille Agent"
        not in client.get(f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/").content.decode()
    )


def test_another_atd_cannot_read_the_campaign(campaign: Campaign) -> None:
    other = personas.logged_in(personas.other_atd_staff())
    assert other.get(f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/").status_code == 403
    assert Client().get(f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/").status_code == 302


def test_cached_figures_follow_a_new_response_and_an_edited_rule(campaign: Campaign, rennes_etd: Etd) -> None:
    from odl.culture.models import Rule

    _respond_many(campaign, rennes_etd, [3] * 5)
    assert aggregates.figures(campaign).total.respondents == 5
    respond(campaign, rennes_etd, 0)
    assert aggregates.figures(campaign).total.respondents == 6
    assert len(aggregates.figures(campaign).total.recommendations) == 0
    Rule.objects.filter(scope="collectivity").update(share_threshold=10)
    assert len(aggregates.figures(campaign).total.recommendations) == 7
