"""The kinds of source come from one registry, built from the harvester modules when the app loads."""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harvest_replay import Replay, Reply

from odl.harvest.harvesters.base import REGISTRY, discover, kinds
from odl.harvest.harvesters.runner import run_source
from odl.harvest.management.commands.harvest import Command as Harvest
from odl.harvest.management.commands.harvest_sources import Command as HarvestSources
from odl.harvest.models import HarvestSource, MatchStatus
from odl.harvest.views import SourceForm

DOCS = Path(__file__).resolve().parents[2] / "docs" / "harvest.md"
PACKAGE = "odl_throwaway_kinds"


def kind_option(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return kind_option(action.choices["add"])
        if action.dest == "kind":
            return list(action.choices or [])
    raise AssertionError("pas d'option --kind")


def offered() -> dict[str, list[str]]:
    """Every place a kind of source is offered, each as the list of kinds it offers."""
    return {
        "model": [value for value, _label in HarvestSource._meta.get_field("kind").choices or []],
        "form": [value for value, _label in SourceForm().fields["kind"].choices],  # type: ignore[attr-defined]
        "harvest_sources add --kind": kind_option(HarvestSources().create_parser("odl", "harvest_sources")),
        "harvest --kind": kind_option(Harvest().create_parser("odl", "harvest")),
    }


def test_every_place_offers_exactly_the_registered_kinds() -> None:
    assert list(REGISTRY) == ["ckan", "datagouv", "dcat", "opendatasoft"]
    for place, values in offered().items():
        assert values == list(REGISTRY), place
    assert dict(HarvestSource._meta.get_field("kind").choices or []) == kinds()
    assert kinds()["dcat"] == "Catalogue DCAT"


@pytest.fixture
def throwaway_package(tmp_path: Path) -> Iterator[str]:
    """The docs' "Adding a kind of source" module, written into a package of its own."""
    section = DOCS.read_text(encoding="utf-8").split("## Adding a kind of source", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "le module à copier a disparu de la documentation"
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "exemple.py").write_text(code.group(1), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    yield PACKAGE
    REGISTRY.pop("exemple", None)
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def serve_exemple(replay: Replay, records: list[dict[str, object]]) -> None:
    def handle(_path: str, query: dict[str, list[str]]) -> Reply:
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        body = {"total": len(records), "results": records[offset : offset + limit]}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    replay.handler("/api/datasets", handle)


@pytest.mark.django_db
def test_a_fifth_kind_copied_from_the_docs_is_offered_and_harvested(
    throwaway_package: str, replay: Replay, small_referentiel: Path, settings: object
) -> None:
    discover(throwaway_package)
    assert kinds()["exemple"] == "Portail Exemple"
    for place, values in offered().items():
        assert values == list(REGISTRY) and "exemple" in values, place

    records: list[dict[str, object]] = [
        {"id": f"jeu-{n}", "title": f"Jeu {n}", "publisher": "Ville de Bruz", "license": "lov2"}
        for n in range(3)
    ]
    records += [{"id": "cache", "title": "Brouillon", "private": True}, {"title": "Sans identifiant"}]
    serve_exemple(replay, records)
    settings.ODL_HARVEST_PAGE_SIZE = 2  # type: ignore[attr-defined]
    source = HarvestSource(name="Portail exemple", kind="exemple", url=replay.url("/api/datasets"))
    source.full_clean()
    source.save()
    run = run_source(source)

    assert (run.status, run.pages, run.items_seen, run.items_failed) == ("partial", 3, 3, 1)
    assert run.errors == [{"remote_id": "", "error": "jeu de données sans identifiant"}]
    source.refresh_from_db()
    assert source.technology == "Exemple"
    dataset = source.datasets.get(remote_id="jeu-1")
    assert (dataset.title, dataset.url, dataset.license) == (
        "Jeu 1",
        replay.url("/datasets/jeu-1"),
        "Licence Ouverte v2.0",
    )
    assert dataset.publisher is not None
    assert (dataset.publisher.match_status, dataset.publisher.territory.code) == (MatchStatus.AUTO, "35047")
    assert source.datasets.count() == 3
