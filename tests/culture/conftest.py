"""Fixtures of the questionnaire: the project's default bank and rules, an open campaign of the ATD of
Ille-et-Vilaine (Rennes accompanied), and a helper that answers it like a respondent would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from odl.culture import aggregates, answering, bank, rules
from odl.culture.models import Campaign, Item, Response
from odl.programme.models import Etd
from odl.territories.models import Territory
from tests import personas


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Figures are cached per process; each test starts from an empty cache.
    aggregates.clear_cache()


@pytest.fixture
def default_bank(db: None) -> None:
    bank.ensure_default()
    rules.ensure_default()


@pytest.fixture
def rennes_etd(small_referentiel: Any) -> Etd:
    atd = personas.atd_of()
    return Etd.objects.get_or_create(atd=atd, territory=Territory.objects.get(kind="commune", code="35238"))[
        0
    ]


@pytest.fixture
def campaign(default_bank: None, rennes_etd: Etd) -> Campaign:
    return Campaign.objects.create(
        atd=rennes_etd.atd,
        title="Positionnement 2026",
        closes_on=timezone.localdate() + dt.timedelta(days=30),
    )


def all_answers(choice: Callable[[Item], str]) -> dict[str, str]:
    """The POST of the questions, each answered by ``choice(item)`` (a rank as text, or « nsp »)."""
    return {f"q-{item.code}": choice(item) for item in Item.objects.active()}


def header(etd: Etd | None = None, **extra: str) -> dict[str, str]:
    data = {"role": "metier", "service": "Urbanisme", "consent": "on", "etd": str(etd.pk) if etd else "autre"}
    data.update(extra)
    return data


def level_answer(level: int) -> Callable[[Item], str]:
    """Self-positionings at ``level`` (0–4); the knowledge check right when level ≥ 2."""

    def pick(item: Item) -> str:
        if item.correct_option is not None:
            right = item.correct_option if level >= 2 else (item.correct_option + 1) % len(item.options)
            return str(right)
        return str(level)

    return pick


def respond(campaign: Campaign, etd: Etd | None, level: int, role: str = "metier") -> Response:
    """One stored response straight through ``answering.submit`` (aggregates tests need many)."""
    chosen: dict[int, int | None] = {}
    for item in Item.objects.active():
        value = level_answer(level)(item)
        chosen[item.pk] = None if value == "nsp" else int(value)
    return answering.submit(campaign, {"etd": etd, "role": role, "service": "Finances"}, chosen)


def answer_in_browser(client: Client, campaign: Campaign, level: int, etd: Etd | None = None) -> Any:
    data = {**header(etd), **all_answers(level_answer(level))}
    return client.post(f"/questionnaire/{campaign.token}/", data)
