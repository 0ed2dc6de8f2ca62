"""An undefined template variable fails the test that renders it.

Django renders a variable it cannot resolve as ``string_if_invalid`` (``""`` in production), which hides
typos and renamed fields. The tests set ``string_if_invalid`` to ``UNDEFINED``, an empty string that
raises as soon as it is *printed*:

- ``{{ typo }}``, ``{{ obj.renamed_field }}``, ``{{ typo|upper }}``, ``{% url "x" typo %}`` and a missing
  ``{% blocktranslate %}`` variable raise ``UndefinedTemplateVariable``, naming the variable and the template.
- The idioms that are *meant* to see missing variables keep working, with the production output:
  ``{% if missing %}``, ``{% for x in missing %}`` and ``{% firstof %}`` resolve with ``ignore_failures``
  and never see it; because ``UNDEFINED`` is falsy, Django passes it through the filter chain (instead of
  short-circuiting as it does for a truthy ``string_if_invalid``), so ``{{ missing|default:"—" }}`` and
  ``{{ missing|yesno:"a,b" }}`` print what they print in production.
- Templates shipped by installed packages (Django admin, django-ninja) keep Django's silent behaviour:
  only the project's own templates (and the tests' ones) are held to the rule.

Known blind spots: filters that swallow any value (``date``, ``floatformat``, ``join``, ``json_script``)
turn ``UNDEFINED`` into their empty output without printing it, as in production.
"""

from __future__ import annotations

import sys
import sysconfig
from types import FrameType

_THIRD_PARTY_ROOTS = tuple({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})


class UndefinedTemplateVariable(Exception):
    """A template printed a variable that the context does not have."""


def _rendering_node(frame: FrameType | None) -> object | None:
    """The innermost template node being rendered: the caller frames' ``self`` with an ``origin``."""
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if candidate is not None and hasattr(candidate, "origin") and hasattr(candidate, "token"):
            return candidate
        frame = frame.f_back
    return None


class UndefinedVariable(str):
    """``string_if_invalid`` for the tests: falsy like ``""``, but printing it raises."""

    def __str__(self) -> str:
        node = _rendering_node(sys._getframe(1))
        origin = getattr(getattr(node, "origin", None), "name", None) or "<inconnu>"
        if str(origin).startswith(_THIRD_PARTY_ROOTS):
            return ""
        token = getattr(node, "token", None)
        source = getattr(token, "contents", "?")
        line = getattr(token, "lineno", "?")
        raise UndefinedTemplateVariable(f"undefined variable in {{{{ {source} }}}} ({origin}, line {line})")

    def __html__(self) -> str:
        return self.__str__()


UNDEFINED = UndefinedVariable("")
