"""A dataset of subventions for Rennes, the ETD of the ATD of Ille-et-Vilaine."""

from __future__ import annotations

from typing import Any

import pytest

from odl.programme.models import Etd
from odl.publishing.models import Dataset
from odl.territories.models import Territory


@pytest.fixture
def etd(etd_agent: Any) -> Etd:
    from tests import personas

    rennes = Territory.objects.get(kind="commune", code="35238")
    return Etd.objects.get_or_create(atd=personas.atd_of(), territory=rennes)[0]


@pytest.fixture
def dataset(etd: Etd) -> Dataset:
    return Dataset.objects.create(
        etd=etd, schema_name="subventions", title="Subventions 2024", siret="21350238800019"
    )


def space(dataset: Dataset, tail: str = "") -> str:
    return f"/suivi/{dataset.etd.atd.slug}/etd/{dataset.etd_id}/donnees/{dataset.pk}/{tail}"
