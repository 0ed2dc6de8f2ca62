from django import template

from odl.core.text import format_int_fr

register = template.Library()


@register.filter
def fr_int(value: int | None) -> str:
    """3512 → « 3 512 » (espace fine insécable), None → « non renseigné »."""
    return format_int_fr(value)
