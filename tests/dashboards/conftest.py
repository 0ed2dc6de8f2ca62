"""A published dataset of Rennes (air measures by year, with a change of method) and a dashboard on it."""

from __future__ import annotations

from typing import Any

import pytest

from odl.dashboards import sources
from odl.dashboards.models import Chart, Dashboard, Kind, Measure
from odl.programme.models import Etd
from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from odl.territories.models import Territory

HEADER = ["annee", "quartier", "valeur", "mesures", "depassements", "methode"]
ROWS = [
    ["2021-06-01", "Centre", "12,5", "10", "2", "capteur A"],
    ["2021-07-01", "Nord", "7,5", "10", "1", "capteur A"],
    ["2022-06-01", "Centre", "10", "20", "4", "capteur A"],
    ["2023-06-01", "Centre", "30", "40", "10", "capteur B"],
    ["2023-06-02", "Nord", '=HYPERLINK("x")', "10", "", "capteur B"],
    ["", "Sud", "5", "0", "0", "capteur B"],
]


def csv_of(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [",".join(header)] + [",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> None:
    # A cache of this module's own for the figures; the other aliases (the shared ``figures`` cache,
    # which the root conftest gives each test) are kept.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dash"},
    }
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = True
    settings.ODL_HARVEST_RETRIES = 0
    settings.ODL_HARVEST_TIMEOUT = 2.0
    from django.core.cache import cache

    cache.clear()
    sources.clear_frames()


@pytest.fixture
def etd(etd_agent: Any) -> Etd:
    from tests import personas

    rennes = Territory.objects.get(kind="commune", code="35238")
    return Etd.objects.get_or_create(atd=personas.atd_of(), territory=rennes)[0]


@pytest.fixture
def air(etd: Etd) -> Dataset:
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Qualité de l'air")
    publish(dataset, csv_of(HEADER, ROWS), known("subventions"), by=None, valid=True)
    dataset.refresh_from_db()
    return dataset


@pytest.fixture
def board(etd: Etd) -> Dashboard:
    return Dashboard.objects.create(
        atd=etd.atd, etd=etd, title="L'air de Rennes", slug="air-rennes", device="Des capteurs.", public=True
    )


@pytest.fixture
def chart(board: Dashboard, air: Dataset) -> Chart:
    return Chart.objects.create(
        dashboard=board,
        title="Mesures par quartier",
        dataset=air,
        measure=Measure.SUM,
        value_column="valeur",
        breakdown_column="quartier",
        kind=Kind.BAR,
        method="Somme des valeurs relevées.",
    )


def builder(board: Dashboard, tail: str = "") -> str:
    assert board.etd_id
    return f"/suivi/{board.atd.slug}/etd/{board.etd_id}/tableaux-de-bord/{board.pk}/{tail}"
