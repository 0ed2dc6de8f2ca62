"""The guard of tests/templates_guard.py: a typo'd variable fails, the idioms for optional ones do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.templates_guard import UndefinedTemplateVariable


@pytest.fixture
def guard_page(settings: Any, tmp_path: Path) -> Path:
    (tmp_path / "guard").mkdir()
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    settings.ROOT_URLCONF = "tests.core.guard_urls"
    return tmp_path / "guard" / "page.html"


@pytest.mark.parametrize(
    "template",
    [
        "<p>{{ commune.nmo }}</p>",
        "<p>{{ comune.nom }}</p>",
        "<p>{{ commune.nmo|upper }}</p>",
        "{% with nom=commune.nmo %}<p>{{ nom }}</p>{% endwith %}",
        "{% load i18n %}{% blocktranslate %}Commune {{ nmo }}{% endblocktranslate %}",
    ],
)
def test_a_template_with_a_typo_in_a_variable_fails_the_test(
    guard_page: Path, client: Client, template: str
) -> None:
    guard_page.write_text(template)
    with pytest.raises(UndefinedTemplateVariable, match="page.html"):
        client.get("/guard/")


def test_the_idioms_for_optional_variables_render_as_in_production(guard_page: Path, client: Client) -> None:
    guard_page.write_text(
        "{% if commune.population %}habitants{% endif %}"
        "[{{ commune.code|default:'—' }}]"
        "[{% firstof commune.epci commune.nom %}]"
        "[{{ commune.siren|default:'sans SIREN' }}]"
        "[{{ commune.outre_mer|yesno:'oui,non' }}]"
        "{% for row in missing_rows %}{{ row }}{% empty %}[aucune ligne]{% endfor %}"
    )
    response = client.get("/guard/")
    assert response.content.decode() == "[—][Rennes][sans SIREN][non][aucune ligne]"


def test_templates_of_installed_packages_keep_django_silent_rendering(db: None) -> None:
    # Django's own admin templates are not ours to fix: they render missing variables as "".
    html = render_to_string("admin/filter.html", {"choices": [{"display": "Tout"}]})
    assert 'data-filter-title=""' in html
    assert '<a href="">Tout</a>' in html
