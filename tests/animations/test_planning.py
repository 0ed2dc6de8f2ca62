"""Retroplanning dates, the follow-up schedule and its idempotent reminders, and the survival rate."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from odl.animations import planning
from odl.animations.fiches import DEFAULT_FORMATS
from odl.animations.models import (
    Event,
    FollowUp,
    Format,
    Output,
    OutputKind,
    ProjectFate,
    validate_retroplanning,
)

D = datetime.date


# --- Retroplanning ---------------------------------------------------------------------------------------


def test_a_negative_offset_counts_back_from_the_first_day() -> None:
    assert planning.due_date(D(2026, 3, 14), D(2026, 3, 15), -90) == D(2025, 12, 14)


def test_offset_zero_is_the_first_day_of_a_multi_day_event() -> None:
    assert planning.due_date(D(2026, 3, 14), D(2026, 3, 16), 0) == D(2026, 3, 14)


def test_a_positive_offset_counts_from_the_last_day() -> None:
    assert planning.due_date(D(2026, 3, 14), D(2026, 3, 16), 7) == D(2026, 3, 23)


def test_offsets_cross_a_leap_day() -> None:
    assert planning.due_date(D(2028, 3, 1), D(2028, 3, 1), -1) == D(2028, 2, 29)


@pytest.mark.django_db
def test_the_checklist_is_the_fiches_retroplanning_dated_from_the_event(
    make_event: Callable[..., Event],
) -> None:
    event = make_event("hackathon", D(2026, 3, 14), D(2026, 3, 15))
    fiche = Format.objects.get(slug="hackathon").retroplanning
    tasks = list(event.tasks.order_by("due_on", "pk"))
    assert [t.title for t in tasks] == [item["task"] for item in sorted(fiche, key=lambda i: i["offset"])]
    first, last = tasks[0], tasks[-1]
    assert first.due_on == D(2026, 3, 14) - datetime.timedelta(days=90)
    assert last.due_on == D(2026, 3, 15) + datetime.timedelta(days=30)
    assert all(t.owner == event.organiser and not t.done for t in tasks)


@pytest.mark.django_db
def test_generating_twice_keeps_the_tasks_and_their_ticks(make_event: Callable[..., Event]) -> None:
    event = make_event()
    event.tasks.update(done=True)
    count = event.tasks.count()
    planning.generate_checklist(event)
    assert event.tasks.count() == count and event.tasks.filter(done=False).count() == 0


@pytest.mark.django_db
def test_moving_the_event_moves_every_due_date_by_its_offset(make_event: Callable[..., Event]) -> None:
    event = make_event("barcamp", D(2026, 5, 20))
    event.starts_on = event.ends_on = D(2026, 6, 3)
    event.save()
    moved = planning.reschedule(event)
    assert moved == event.tasks.count()
    assert all(
        t.due_on == planning.due_date(D(2026, 6, 3), D(2026, 6, 3), t.offset_days) for t in event.tasks.all()
    )


@pytest.mark.django_db
def test_ticking_marks_only_the_ticked_tasks_and_refuses_an_owner_outside_the_team(
    make_event: Callable[..., Event], atd_agent: Any
) -> None:
    event = make_event("barcamp")
    first, second = list(event.tasks.all())[:2]
    changed = planning.tick(event, {first.pk}, {second.pk: 999_999}, {atd_agent.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert changed == 1 and first.done and first.done_at is not None
    assert not second.done and second.owner == atd_agent


def test_a_retroplanning_with_a_bad_offset_names_the_line() -> None:
    with pytest.raises(ValidationError, match="Tâche n° 2"):
        validate_retroplanning([{"offset": -3, "task": "a"}, {"offset": "dix", "task": "b"}])
    with pytest.raises(ValidationError, match="libellé"):
        validate_retroplanning([{"offset": 1}])


def test_every_default_fiche_is_valid_and_has_a_unique_stable_slug() -> None:
    slugs = [f["slug"] for f in DEFAULT_FORMATS]
    assert len(slugs) == len(set(slugs)) == 12
    assert {"hackathon", "cartopartie", "barcamp", "infolab", "animation-reseau"} <= set(slugs)
    for fiche in DEFAULT_FORMATS:
        validate_retroplanning(fiche["retroplanning"])


@pytest.mark.django_db
def test_the_data_migration_loads_the_fiches_once_and_keeps_an_edited_one() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("odl.animations.migrations.0002_default_formats")
    Format.objects.all().delete()
    migration.load(apps, None)
    assert set(Format.objects.values_list("slug", flat=True)) == {f["slug"] for f in DEFAULT_FORMATS}
    Format.objects.filter(slug="barcamp").update(duration="Une matinée")
    migration.load(apps, None)
    assert Format.objects.count() == 12 and Format.objects.get(slug="barcamp").duration == "Une matinée"


# --- Follow-ups -----------------------------------------------------------------------------------------


def test_months_are_added_to_the_last_day_clamped_to_short_months() -> None:
    assert planning.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert planning.add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert planning.add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)


@pytest.mark.django_db
def test_three_follow_ups_are_scheduled_once_after_the_last_day(make_event: Callable[..., Event]) -> None:
    event = make_event("hackathon", D(2026, 1, 30), D(2026, 1, 31))
    planning.schedule_followups(event)
    assert list(event.followups.values_list("months", "due_on")) == [
        (1, D(2026, 2, 28)),
        (3, D(2026, 4, 30)),
        (6, D(2026, 7, 31)),
    ]


@pytest.mark.django_db
def test_an_unanswered_follow_up_follows_a_moved_event_an_answered_one_does_not(
    make_event: Callable[..., Event],
) -> None:
    event = make_event("barcamp", D(2026, 1, 10))
    one = event.followups.get(months=1)
    planning.answer_followup(one, {}, None)
    event.ends_on = event.starts_on = D(2026, 2, 10)
    event.save()
    planning.schedule_followups(event)
    assert event.followups.get(months=1).due_on == D(2026, 2, 10)
    assert event.followups.get(months=3).due_on == D(2026, 5, 10)


@pytest.mark.django_db
def test_reminders_are_sent_once_whatever_the_number_of_runs(
    make_event: Callable[..., Event], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = make_event("hackathon", D(2026, 1, 10))
    first = planning.send_due_reminders(D(2026, 4, 15))  # the 1- and 3-month follow-ups are due
    again = planning.send_due_reminders(D(2026, 4, 15))
    later = planning.send_due_reminders(D(2026, 4, 20))
    assert (first.sent, again.sent, later.sent) == (2, 0, 0)
    assert len(mail.outbox) == 2 and mail.outbox[0].to == [event.organiser.email]
    assert f"/suivi/{event.atd.slug}/animations/{event.pk}/suivi/" in mail.outbox[0].body
    assert set(event.followups.filter(reminded_at__isnull=False).values_list("months", flat=True)) == {1, 3}
    assert planning.send_due_reminders(D(2026, 7, 10)).sent == 1  # then the 6-month one, once


@pytest.mark.django_db
def test_an_answered_follow_up_is_never_reminded(make_event: Callable[..., Event], settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = make_event("hackathon", D(2026, 1, 10))
    planning.answer_followup(event.followups.get(months=1), {}, None)
    assert planning.send_due_reminders(D(2026, 2, 20)).sent == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_command_reports_what_it_sent_and_refuses_a_bad_date(make_event: Callable[..., Event]) -> None:
    from django.core.management.base import CommandError

    from odl.animations.management.commands.animations_followups import Command

    make_event("hackathon", D(2026, 1, 10))
    assert Command().handle_one("2026-02-11").sent == 1
    assert Command().handle_one("2026-02-11").sent == 0
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        Command().handle_one("11/02/2026")


@pytest.mark.django_db
def test_the_to_do_lists_due_unanswered_follow_ups_only(make_event: Callable[..., Event]) -> None:
    event = make_event("hackathon", D(2026, 1, 10))
    planning.answer_followup(event.followups.get(months=1), {}, None)
    due = planning.due_followups(Event.objects.all(), D(2026, 4, 11))
    assert [f.months for f in due] == [3]


# --- Survival rate ---------------------------------------------------------------------------------------


def _projects(event: Event, n: int) -> list[Output]:
    return [Output.objects.create(event=event, kind=OutputKind.PROJET, title=f"P{i}") for i in range(n)]


def _answer(event: Event, months: int, fates: dict[Output, str]) -> None:
    planning.answer_followup(
        FollowUp.objects.get(event=event, months=months), {o.pk: f for o, f in fates.items()}, None
    )


@pytest.mark.django_db
def test_no_project_means_no_rate_not_zero(make_event: Callable[..., Event]) -> None:
    make_event()
    assert planning.survival(Event.objects.all(), by="format") == []


@pytest.mark.django_db
def test_projects_never_followed_have_no_rate(make_event: Callable[..., Event]) -> None:
    _projects(make_event(), 3)
    [row] = planning.survival(Event.objects.all(), by="format")
    assert (row.projects, row.followed, row.rate) == (3, 0, None)


@pytest.mark.django_db
def test_the_latest_answered_follow_up_decides(make_event: Callable[..., Event]) -> None:
    event = make_event()
    a, b, c = _projects(event, 3)
    _answer(event, 1, {a: ProjectFate.VIVANT, b: ProjectFate.VIVANT, c: ProjectFate.ABANDONNE})
    _answer(event, 3, {a: ProjectFate.ABANDONNE, b: ProjectFate.PUBLIE})  # c not answered again
    [row] = planning.survival(Event.objects.all(), by="format")
    # a: abandoned at 3 months; b: published at 3; c: abandoned at 1 (its latest answer).
    assert (row.followed, row.alive, row.rate) == (3, 1, 33)


@pytest.mark.django_db
def test_a_project_followed_once_counts_and_one_never_followed_does_not(
    make_event: Callable[..., Event],
) -> None:
    event = make_event()
    a, _b = _projects(event, 2)
    _answer(event, 1, {a: ProjectFate.PUBLIE})
    [row] = planning.survival(Event.objects.all(), by="format")
    assert (row.projects, row.followed, row.alive, row.rate) == (2, 1, 1, 100)


@pytest.mark.django_db
def test_rates_are_grouped_per_format_and_per_atd_with_datasets_opened(
    make_event: Callable[..., Event], other_atd_staff: Any
) -> None:
    from odl.atds.models import Atd

    hack = make_event("hackathon")
    carto = make_event("cartopartie", atd=Atd.objects.get(memberships__user=other_atd_staff))
    [h] = _projects(hack, 1)
    [c] = _projects(carto, 1)
    Output.objects.create(event=carto, kind=OutputKind.JEU_OUVERT, title="Arbres")
    _answer(hack, 6, {h: ProjectFate.ABANDONNE})
    _answer(carto, 1, {c: ProjectFate.VIVANT})
    by_format = {row.label: row for row in planning.survival(Event.objects.all(), by="format")}
    assert (by_format["Hackathon"].rate, by_format["Cartopartie"].rate) == (0, 100)
    assert by_format["Cartopartie"].datasets_opened == 1 and by_format["Hackathon"].datasets_opened == 0
    by_atd = {row.label: row.rate for row in planning.survival(Event.objects.all(), by="atd")}
    assert by_atd == {hack.atd.name: 0, carto.atd.name: 100}
    assert planning.overall(by_format.values()).rate == 50


@pytest.mark.django_db
def test_an_answer_for_another_events_project_is_ignored(make_event: Callable[..., Event]) -> None:
    one, two = make_event(title="Un"), make_event(title="Deux")
    [foreign] = _projects(two, 1)
    stored = planning.answer_followup(one.followups.get(months=1), {foreign.pk: ProjectFate.VIVANT}, None)
    assert stored == 0 and planning.survival(Event.objects.all(), by="format")[0].followed == 0
