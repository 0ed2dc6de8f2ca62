from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(delta: timedelta) -> int:
    """A cool-off as a whole number of minutes, as people say it."""
    return max(1, round(delta.total_seconds() / 60))
