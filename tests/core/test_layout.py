"""The apps' imports go one way, so each noun can be read (and grown) on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ODL = Path(__file__).resolve().parents[2] / "odl"
# What each app may import from the others (itself always allowed).
ALLOWED = {
    "core": set(),
    "territories": {"core"},
    "atds": {"core", "territories"},
    "schemas": {"core", "territories"},
    "harvest": {"core", "territories", "atds", "schemas"},
    "observatory": {"core", "territories", "atds", "schemas", "harvest"},
    "accounts": {"core", "territories", "atds"},
    "programme": {"core", "territories", "atds", "schemas", "harvest", "observatory", "accounts"},
    "culture": {"core", "territories", "atds", "accounts", "programme"},
    # The planner reads the programme (ETDs, the demo ATD), harvested datasets, SCDL schemas (collection
    # form), the access policies, and offers a venue from the directory of places; nothing below imports it.
    # Accepted cartopartie points go to a collectivité's data space (publishing).
    "animations": {
        "core",
        "territories",
        "atds",
        "schemas",
        "harvest",
        "accounts",
        "programme",
        "places",
        "publishing",
    },
    # The directory of places reads the référentiel, the ATDs and the access policies only.
    "places": {"core", "territories", "atds", "accounts"},
    # Reuses link harvested datasets, animation events and collectivités, and join the observatory's
    # open collectivités; nothing imports them.
    "reuses": {
        "core",
        "territories",
        "atds",
        "schemas",
        "harvest",
        "observatory",
        "accounts",
        "programme",
        "animations",
    },
    # The push to data.gouv.fr reads the collectivités, the ATD perimeters and the access policies; the
    # publication app calls it through odl.datagouv.push.PushItem, never the reverse.
    "datagouv": {"core", "territories", "atds", "accounts"},
    # The data space: datasets of an ETD (programme), checked by the schemas' engine, under the ATD policies,
    # and sent to data.gouv.fr through the push app.
    "publishing": {"core", "territories", "atds", "schemas", "accounts", "programme", "datagouv"},
    # The coordinators' list of jobs reads the jobs of several apps (harvest runs, validation jobs,
    # pushes, animation follow-ups); it owns none and nothing imports it.
    "operations": {"core", "territories", "atds", "schemas", "harvest", "accounts", "datagouv", "animations"},
    # Honest dashboards chart published datasets (publishing) and harvested resources (harvest, read with its
    # resource client) of an ATD's collectivités (programme), under the ATD policies; nothing imports them.
    "dashboards": {
        "core",
        "territories",
        "atds",
        "harvest",
        "accounts",
        "programme",
        "publishing",
    },
}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    apps = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "odl" and len(parts) > 1 and parts[1] in ALLOWED:
                apps.add(parts[1])
    return apps


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    wrong = []
    for path in sorted((ODL / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for other in _imported_apps(path) - ALLOWED[app] - {app}:
            wrong.append(f"{path.relative_to(ODL.parent)} importe odl.{other}")
    assert not wrong, "\n".join(wrong)


def test_every_app_is_placed_in_the_layering() -> None:
    apps = {p.parent.name for p in ODL.glob("*/apps.py")}
    assert apps == set(ALLOWED), f"apps à placer dans ALLOWED : {sorted(apps ^ set(ALLOWED))}"
