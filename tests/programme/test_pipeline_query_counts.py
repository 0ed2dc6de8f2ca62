"""The board and the table run as many queries for 3N ETDs as for N."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from django.test import Client

from odl.programme.models import Commitment, CommitmentKind, Etd, EtdStep
from odl.territories.models import Territory
from tests.core.test_query_counts import assert_queries_do_not_grow
from tests.programme.pipeline_helpers import alice_atd

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["", "tableau/", "tableau/?tri=-engagements&q=commune"])
def test_the_board_and_the_table_do_not_query_per_etd(atd_agent: Any, atd_client: Client, page: str) -> None:
    atd = alice_atd(atd_agent)
    other = personas_other_atd()
    numbers = count(1)

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(numbers)
            territory = Territory.objects.create(
                kind="commune",
                code=f"35{500 + i}",
                nom=f"Commune {i}",
                departement_code="35",
                region_code="53",
                population=4000 + i,
            )
            etd = Etd.objects.create(atd=atd, territory=territory)
            etd.move_to([EtdStep.CONTACTEE, EtdStep.PUBLIEE][i % 2], by=atd_agent, note="n")
            Commitment.objects.create(etd=etd, kind=CommitmentKind.FREE)
            Etd.objects.create(atd=other, territory=territory)

    assert_queries_do_not_grow(atd_client, f"/suivi/{atd.slug}/{page}", grow)


def personas_other_atd() -> Any:
    from odl.atds.models import Atd

    return Atd.objects.create(name="Autre ATD", kind="association")
