"""The retention period the consent text promises: ``odl purge`` deletes the answers once it has passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from odl.core.dates import months_before
from odl.culture.models import Answer, Campaign, Response
from odl.programme.models import Etd
from tests import personas
from tests.culture.conftest import respond


def _age(response: Response, days: int) -> None:
    Response.objects.filter(pk=response.pk).update(submitted_at=timezone.now() - dt.timedelta(days=days))


def test_odl_purge_deletes_the_answers_past_the_campaign_retention_and_keeps_the_others(
    campaign: Campaign, rennes_etd: Etd, capsys: pytest.CaptureFixture[str]
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(retention_months=12)
    old, recent = respond(campaign, rennes_etd, 1), respond(campaign, rennes_etd, 3)
    _age(old, 400)
    _age(recent, 300)
    answers_of_recent = Answer.objects.filter(response=recent).count()
    assert answers_of_recent > 0

    call_command("purge")
    out = capsys.readouterr().out
    assert "1 réponse(s) au questionnaire supprimée(s) à l'échéance de leur durée de conservation." in out
    # Validation reports are purged by the same command, each app saying what it removed.
    assert "rapport(s) de validation" in out
    assert list(Response.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Answer.objects.filter(response_id=old.pk).exists()
    assert Answer.objects.filter(response=recent).count() == answers_of_recent
    campaign.refresh_from_db()
    assert campaign.purged_responses == 1

    call_command("purge")
    assert "0 réponse(s) au questionnaire supprimée(s)" in capsys.readouterr().out
    campaign.refresh_from_db()
    assert campaign.purged_responses == 1


def test_each_campaign_keeps_its_answers_for_its_own_period(campaign: Campaign, rennes_etd: Etd) -> None:
    short = Campaign.objects.create(
        atd=campaign.atd, title="Court", closes_on=campaign.closes_on, retention_months=1
    )
    kept, dropped = respond(campaign, rennes_etd, 2), respond(short, rennes_etd, 2)
    _age(kept, 60)
    _age(dropped, 60)
    call_command("purge")
    assert Response.objects.filter(pk=kept.pk).exists()
    assert not Response.objects.filter(pk=dropped.pk).exists()


def test_the_figures_page_says_answers_were_deleted_as_announced(campaign: Campaign, rennes_etd: Etd) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(retention_months=6)
    _age(respond(campaign, rennes_etd, 1), 200)
    call_command("purge")
    html = (
        personas.logged_in(personas.atd_agent())
        .get(f"/culture/{campaign.atd.slug}/campagne/{campaign.pk}/")
        .content.decode()
    )
    assert "1 réponse plus ancienne que la durée de conservation (6 mois) a été supprimée" in html


def test_months_are_counted_on_the_calendar() -> None:
    moment = dt.datetime(2026, 3, 31, 10, 30, tzinfo=dt.UTC)
    assert months_before(moment, 1) == dt.datetime(2026, 2, 28, 10, 30, tzinfo=dt.UTC)
    assert months_before(moment, 24) == dt.datetime(2024, 3, 31, 10, 30, tzinfo=dt.UTC)
    assert months_before(dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 1) == dt.datetime(
        2025, 12, 15, tzinfo=dt.UTC
    )
