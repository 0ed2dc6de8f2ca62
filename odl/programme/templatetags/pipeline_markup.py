"""The board's cards, the table's rows and the « Déplacer vers » form, written in Python rather than
in template tags.

The board holds up to 280 cards (7 columns × ``BOARD_COLUMN_LIMIT``), each with its own real form so that
a keyboard user, or a browser without JavaScript, moves a card with its select and one button. Through the
template engine (an ``{% include %}`` of the form per card, every value looked up and localised node by
node) that markup was about three quarters of the page's time; a format string per card, with every value
a user typed escaped, costs a few milliseconds. The table's 50 rows went the same way for the same
reason. The ETD page prints the same form through ``step_form``, so the markup has one source.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from odl.core.text import format_int_fr
from odl.programme.models import Etd, EtdStep
from odl.programme.pipeline import BoardEtd, Card

register = template.Library()

# name and every other text a user typed arrive escaped; options is markup (pipeline.step_options).
_STEP_FORM = """<form method="post" action="{action}" class="step-form"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
  <input type="hidden" name="next" value="{next}">
  <label for="{prefix}-step-{key}">Déplacer {name} vers</label>
  <select id="{prefix}-step-{key}" name="step">{options}</select>
  <label for="{prefix}-note-{key}">Note (facultative)</label>
  <input id="{prefix}-note-{key}" name="note" maxlength="2000">
  <label for="{prefix}-reason-{key}">Raison (pour un abandon)</label>
  <input id="{prefix}-reason-{key}" name="reason" maxlength="500">
  <button type="submit" class="button secondary">Déplacer</button>
</form>"""

_CARD = """
      <li class="card etd-card" id="etd-{key}">
        <h3 tabindex="-1"><a href="{url}">{name}</a></h3>
        <p>{population} hab. · depuis {days} jour{days_s}</p>{flags}
        {form}
      </li>"""


def _plural(n: int) -> str:
    # As Django's |pluralize: only exactly one is singular (« 0 jours »).
    return "" if n == 1 else "s"


def _form(*, action: str, key: str, name: str, options: str, prefix: str, next_url: str, csrf: str) -> str:
    return _STEP_FORM.format(
        action=escape(action),
        csrf=escape(csrf),
        next=escape(next_url),
        prefix=prefix,
        key=escape(key),
        name=name,
        options=options,
    )


@register.simple_tag
def step_form(
    action: str, key: str, name: str, options: str, prefix: str, next: str, csrf: str
) -> SafeString:  # noqa: A002 - the form field's name
    """The « Déplacer vers » form of one ETD (its page, or a card of the board)."""
    return mark_safe(  # noqa: S308 - every value above is escaped, options is markup built by format_html
        _form(
            action=action,
            key=key,
            name=escape(name),
            options=options,
            prefix=prefix,
            next_url=next,
            csrf=csrf,
        )
    )


def card_html(card: Card[BoardEtd], options: str, csrf: str) -> str:
    etd = card.etd
    name = escape(etd.territory.nom)
    flags = []
    overdue = etd.overdue_count
    if overdue:
        flags.append(f'<p class="flag flag-late">{overdue} engagement{_plural(overdue)} en retard</p>')
    if card.shared_with:
        names = ", ".join(escape(n) for n in card.shared_with)
        flags.append(f'<p class="flag flag-shared">aussi suivie par {names}</p>')
    if etd.abandon_reason:
        flags.append(f'<p class="flag">Raison : {escape(etd.abandon_reason)}</p>')
    return _CARD.format(
        key=escape(card.key),
        url=escape(card.url),
        name=name,
        population=format_int_fr(etd.territory.population),
        days=card.days,
        days_s=_plural(card.days),
        flags="".join("\n        " + f for f in flags),
        form=_form(
            action=card.move_url,
            key=card.key,
            name=name,
            options=options,
            prefix="board",
            next_url="",
            csrf=csrf,
        ),
    )


@register.simple_tag
def board_cards(cards: Iterable[Card[BoardEtd]], options: str, csrf: str) -> SafeString:
    """Every card of a column, as the ``<li>`` of its list."""
    return mark_safe("".join(card_html(card, options, csrf) for card in cards))  # noqa: S308 - escaped in card_html


_ROW = """
    <tr>
      <th scope="row"><a href="{url}">{name}</a></th>
      <td>{kind}</td>
      <td class="num">{population}</td>
      <td>{departement}</td>
      <td>{step}</td>
      <td>{since} ({days} j)</td>
      <td class="num">{commitments}</td>
      <td class="num">{overdue}</td>
      <td>{flags}</td>
    </tr>"""

_STEP_LABELS = {step.value: str(step.label) for step in EtdStep}


def row_html(card: Card[Etd]) -> str:
    etd = card.etd
    territory = etd.territory
    flags = ""
    if card.shared_with:
        flags = "aussi suivie par " + ", ".join(escape(n) for n in card.shared_with)
    if etd.abandon_reason:
        flags += f" Abandon : {escape(etd.abandon_reason)}"
    return _ROW.format(
        url=escape(card.url),
        name=escape(territory.nom),
        kind=escape(territory.kind_label),
        population=format_int_fr(territory.population),
        departement=escape(territory.departement_code),
        step=_STEP_LABELS.get(etd.step, escape(etd.step)),
        since=f"{timezone.localtime(etd.step_changed_at):%d/%m/%Y}",
        days=card.days,
        commitments=etd.commitment_count,  # type: ignore[attr-defined]
        overdue=etd.overdue_count,  # type: ignore[attr-defined]
        flags=flags,
    )


@register.simple_tag
def table_rows(cards: Iterable[Card[Etd]]) -> SafeString:
    """The ``<tr>`` of the table's page (pipeline.with_facts rows)."""
    return mark_safe("".join(row_html(card) for card in cards))  # noqa: S308 - escaped in row_html
