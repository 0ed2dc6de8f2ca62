"""The questionnaire's demonstration (``odl load_demo``): the default bank and rules, and one campaign
of the demonstration ATD answered by a few dozen fictitious agents, so the aggregates have something
to show. Idempotent: the campaign is looked up by its title; offline; deterministic (seeded)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from odl.atds.models import Atd
from odl.culture import answering, bank, rules
from odl.culture.models import Campaign, Item, RespondentRole
from odl.programme.demo import DEMO_SLUG
from odl.programme.models import Etd

DEMO_TITLE = "[Démo] Positionnement des agents — automne"
DEMO_RESPONDENTS = 40


def load(say: Callable[[str], None]) -> None:
    stats = bank.ensure_default()
    created = rules.ensure_default()
    say(f"Questionnaire : {stats or 'banque déjà présente'} ; {created} règles de recommandation créées.")
    atd = Atd.objects.filter(slug=DEMO_SLUG).first()
    if atd is None or Campaign.objects.filter(atd=atd, title=DEMO_TITLE).exists():
        return
    campaign = Campaign.objects.create(
        atd=atd, title=DEMO_TITLE, closes_on=timezone.localdate() + dt.timedelta(days=60)
    )
    etds = list(Etd.objects.filter(atd=atd).active().order_by("pk")[:4])
    items = list(Item.objects.active().in_bank_order())
    draw = random.Random(2026)
    for index in range(DEMO_RESPONDENTS):
        # Each fictitious agent has a level of her own; the answers scatter around it.
        level = draw.choice([0.8, 1.5, 2.2, 3.0])
        chosen: dict[int, int | None] = {}
        for item in items:
            if draw.random() < 0.08:
                chosen[item.pk] = None
            elif item.correct_option is not None:
                right = draw.random() < level / 4
                chosen[item.pk] = (
                    item.correct_option if right else (item.correct_option + 1) % len(item.options)
                )
            else:
                chosen[item.pk] = max(0, min(4, round(draw.gauss(level, 0.9))))
        header = {
            "etd": etds[index % len(etds)] if etds else None,
            "role": draw.choice(RespondentRole.values),
            "service": draw.choice(["Urbanisme", "Finances", "Communication", "Systèmes d'information"]),
        }
        answering.submit(campaign, header, chosen)
    say(f"Campagne de démonstration « {DEMO_TITLE} » : {DEMO_RESPONDENTS} réponses fictives.")
