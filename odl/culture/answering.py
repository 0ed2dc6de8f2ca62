"""Answering a campaign: the questions shown, storing a response once, a respondent's result.

The same browser answering twice is recognised by a signed cookie naming its response
(:func:`cookie_name`, signed with ``COOKIE_SALT``): the form and the submission then say so, and the
stored answers are never touched. A campaign past its closing date takes no answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from odl.culture import scoring
from odl.culture.models import Answer, Campaign, Domain, Item, ItemKind, Response

COOKIE_SALT = "odl.culture.response"
DONT_KNOW = "nsp"
DONT_KNOW_LABEL = "Je ne sais pas"


def cookie_name(campaign: Campaign) -> str:
    return f"odl_questionnaire_{campaign.pk}"


def answered_by_this_browser(request: HttpRequest, campaign: Campaign) -> Response | None:
    """The response this browser gave to the campaign, from its signed cookie; None otherwise."""
    value = request.get_signed_cookie(cookie_name(campaign), default=None, salt=COOKIE_SALT)
    if not value or not str(value).isdigit():
        return None
    return Response.objects.filter(pk=int(value), campaign=campaign).first()


def remember(response: HttpResponse, campaign: Campaign, answer: Response) -> None:
    response.set_signed_cookie(
        cookie_name(campaign),
        str(answer.pk),
        salt=COOKIE_SALT,
        max_age=60 * 60 * 24 * 31 * max(campaign.retention_months, 1),
        httponly=True,
        samesite="Lax",
    )


@dataclass
class Question:
    item: Item
    name: str
    choices: list[tuple[str, str]]
    selected: str = ""  # the value posted, shown again when the form comes back with errors


@dataclass
class Section:
    domain: Domain
    questions: list[Question]


def sections() -> list[Section]:
    """The active bank, domain by domain, in bank order; each question offers « je ne sais pas » last."""
    found: dict[int, Section] = {}
    for item in Item.objects.active().in_bank_order():
        section = found.setdefault(item.domain_id, Section(item.domain, []))
        choices = [(str(i), str(label)) for i, label in enumerate(item.options)]
        choices.append((DONT_KNOW, DONT_KNOW_LABEL))
        section.questions.append(Question(item, f"q-{item.code}", choices))
    return list(found.values())


def parse_choices(
    data: Mapping[str, Any], questions: list[Question]
) -> tuple[dict[int, int | None], list[str]]:
    """Item id → chosen rank (None for « je ne sais pas »), and the French errors of missing answers."""
    chosen: dict[int, int | None] = {}
    errors: list[str] = []
    for question in questions:
        value = str(data.get(question.name, "")).strip()
        question.selected = value
        if value == DONT_KNOW:
            chosen[question.item.pk] = None
        elif value.isdigit() and int(value) < len(question.item.options):
            chosen[question.item.pk] = int(value)
        else:
            errors.append(question.name)
    return chosen, errors


def score_answers(answers: list[tuple[Item, int | None]]) -> scoring.Result:
    domains = list({item.domain.code: item.domain.label for item, _points in answers}.items())
    order = {d.code: (d.position, d.code) for d in Domain.objects.all()}
    domains.sort(key=lambda d: order.get(d[0], (0, d[0])))
    return scoring.score(
        (
            scoring.ScoredAnswer(item.domain.code, item.kind == ItemKind.VERIFICATION, points)
            for item, points in answers
        ),
        domains,
    )


@transaction.atomic
def submit(campaign: Campaign, header: Mapping[str, Any], chosen: Mapping[int, int | None]) -> Response:
    """Store one response and its answers with their points fixed now; the scores go with it."""
    items = {item.pk: item for item in Item.objects.filter(pk__in=chosen).select_related("domain")}
    pairs = [(items[pk], items[pk].points_for(choice)) for pk, choice in chosen.items()]
    result = score_answers(pairs)
    now = timezone.now()
    response = Response.objects.create(
        campaign=campaign,
        etd=header.get("etd"),
        role=header["role"],
        service=header["service"],
        name="" if campaign.anonymous else header.get("name", ""),
        email="" if campaign.anonymous else header.get("email", ""),
        consented_at=now,
        submitted_at=now,
        scores=result.by_code(),
    )
    Answer.objects.bulk_create(
        Answer(response=response, item=items[pk], choice=choice, points=items[pk].points_for(choice))
        for pk, choice in chosen.items()
    )
    return response


def result_of(response: Response) -> scoring.Result:
    """The respondent's result, from the points stored with her answers."""
    answers = response.answers.select_related("item__domain")
    return score_answers([(a.item, a.points) for a in answers])
