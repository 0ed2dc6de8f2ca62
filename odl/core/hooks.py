"""The one shape of the platform's pluggable parts: a method of an app's ``AppConfig``.

Apps low in the import order (territories, programme) offer a seam; apps above them (culture,
animations…) fill it by defining a method of that name on their ``AppConfig``. The lower app only
calls :func:`app_hooks`, so it never imports the apps that plug into it, and a new app plugs in
without touching the seam's owner. The seams in use:

- ``load_demo(username, password, say)``: ``odl load_demo`` adds each app's demonstration;
- ``purge_expired(now, days)``: ``odl purge`` removes what each app keeps past its retention period,
  and returns one French line saying what it removed (``days`` overrides the validation reports'
  retention; apps whose retention is set per object ignore it);
- ``atd_sections(atd)``: links added to the ATD's sub-menu, as ``(label, url)`` pairs;
- ``atd_dashboard_panels(atd)``: :class:`Panel` objects shown on the ATD's dashboard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


def app_hooks(name: str) -> Iterator[Callable[..., Any]]:
    """Each installed app's ``AppConfig.<name>`` method, in ``INSTALLED_APPS`` order."""
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if callable(hook):
            yield hook


@dataclass(frozen=True)
class Panel:
    """A block of another app on a page: its heading, its template and what the template reads."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def collect(name: str, *args: Any) -> list[Any]:
    """The results of every app's hook ``name``, flattened (a hook returns a list, or None for nothing)."""
    found: list[Any] = []
    for hook in app_hooks(name):
        found.extend(hook(*args) or [])
    return found
