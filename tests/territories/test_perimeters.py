"""What lies inside a perimeter: one rule, in SQL (``Territory.objects.inside``) and in memory (``Places``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict

from odl.atds.models import Atd, AtdMembership, scope_of
from odl.territories.models import Area, Kind, Perimeter, Territory
from odl.territories.perimeters import Places
from odl.territories.targeting import CriteriaError, compute_targets, criteria_from_params

pytestmark = pytest.mark.django_db

STRADDLING = "200000172"


class PlainRow(NamedTuple):
    id: int
    kind: str
    code: str
    region_code: str
    departement_code: str
    epci_id: int | None


def territory(kind: str, code: str) -> Territory:
    return Territory.objects.get(kind=kind, code=code)


@pytest.fixture
def referentiel(small_referentiel: Path) -> None:
    """The small référentiel, plus what it lacks: an EPCI across départements and régions, an
    arrondissement, an EPT and a retired commune."""
    epci = Territory.objects.create(
        kind=Kind.EPCI,
        code=STRADDLING,
        siren=STRADDLING,
        nom="CC des Marches",
        departement_code="35",
        region_code="53",
    )
    for code, dep, reg, active in (
        ("35900", "35", "53", True),
        ("22900", "22", "53", True),
        ("2A900", "2A", "94", True),
        ("97590", "975", "975", False),
    ):
        Territory.objects.create(
            kind=Kind.COMMUNE,
            code=code,
            nom=f"Commune {code}",
            departement_code=dep,
            region_code=reg,
            epci=epci,
            active=active,
        )
    rennes = territory(Kind.COMMUNE, "35238")
    Territory.objects.create(
        kind=Kind.ARRONDISSEMENT,
        code="35299",
        nom="Rennes Nord",
        departement_code="35",
        region_code="53",
        parent=rennes,
    )
    Territory.objects.create(
        kind=Kind.EPT, code="200057000", nom="Territoire de test", departement_code="22", region_code="53"
    )


def sql(area: Area) -> set[int]:
    return set(Territory.objects.active().inside(area).values_list("id", flat=True))


def twin(area: Area) -> set[int]:
    fields = ("id", "kind", "code", "region_code", "departement_code", "epci_id")
    rows = [PlainRow(*values) for values in Territory.objects.active().values_list(*fields)]
    places = Places(rows)
    return {row.id for row in rows if places.inside(row, area)}


def names(ids: set[int]) -> set[str]:
    return {
        f"{kind}:{code}" for kind, code in Territory.objects.filter(id__in=ids).values_list("kind", "code")
    }


def perimeters() -> dict[str, Area]:
    return {
        "France": Area(),
        "Bretagne": Area(regions=("53",)),
        "Corse": Area(regions=("94",)),
        "Ille-et-Vilaine": Area(departements=("35",)),
        "Côtes-d'Armor": Area(departements=("22",)),
        "Saint-Pierre-et-Miquelon": Area(departements=("975",)),
        "Rennes Métropole": Area(epcis=("243500139",)),
        "CC des Marches": Area(epcis=(STRADDLING,)),
        "union": Area(regions=("94",), departements=("22",), epcis=("243500139",)),
        "Rennes (commune)": Area.of(territory(Kind.COMMUNE, "35238")),
        "EPT": Area.of(territory(Kind.EPT, "200057000")),
        "arrondissement": Area.of(territory(Kind.ARRONDISSEMENT, "35299")),
        "Bretagne (territoire)": Area.of(territory(Kind.REGION, "53")),
        "Corse-du-Sud (territoire)": Area.of(territory(Kind.DEPARTEMENT, "2A")),
        "CC des Marches (territoire)": Area.of(territory(Kind.EPCI, STRADDLING)),
    }


def test_the_queryset_and_its_in_memory_twin_agree_on_every_perimeter(referentiel: None) -> None:
    for label, area in perimeters().items():
        assert names(twin(area)) == names(sql(area)), label


def test_an_epci_lies_in_every_departement_and_region_where_one_of_its_active_communes_is(
    referentiel: None,
) -> None:
    epci = f"epci:{STRADDLING}"
    assert epci in names(sql(Area(departements=("35",))))
    assert epci in names(sql(Area(departements=("22",))))
    assert epci in names(sql(Area(regions=("94",))))
    # Its only commune there is retired.
    assert epci not in names(sql(Area(departements=("975",))))
    assert "epci:243500139" not in names(sql(Area(departements=("22",))))


def test_a_perimeter_holds_itself_and_what_lies_in_it(referentiel: None) -> None:
    bretagne = names(sql(Area.of(territory(Kind.REGION, "53"))))
    assert {"region:53", "departement:35", "departement:22", "commune:35238", "epci:243500139"} <= bretagne
    assert {"arrondissement_municipal:35299", "commune_deleguee:35206", "ept:200057000"} <= bretagne
    assert not {"region:94", "departement:2A", "commune:2A004"} & bretagne
    assert names(sql(Area.of(territory(Kind.DEPARTEMENT, "2A")))) == {
        "departement:2A",
        "commune:2A004",
        "commune:2A900",
        "epci:242010056",
        f"epci:{STRADDLING}",
    }
    # A département does not hold its région, nor an EPCI the département of its communes.
    assert "region:53" not in names(sql(Area(departements=("35",))))
    assert names(sql(Area(epcis=(STRADDLING,)))) == {
        f"epci:{STRADDLING}",
        "commune:35900",
        "commune:22900",
        "commune:2A900",
    }


def test_arrondissements_and_deleguees_lie_in_their_departement_not_in_an_epci(referentiel: None) -> None:
    rennes_metropole = names(sql(Area(epcis=("243500139",))))
    assert "commune:35238" in rennes_metropole
    assert not {"arrondissement_municipal:35299", "commune_deleguee:35206"} & rennes_metropole
    assert "arrondissement_municipal:35299" in names(sql(Area(departements=("35",))))


def test_a_commune_perimeter_is_the_commune_itself(referentiel: None) -> None:
    assert names(sql(Area.of(territory(Kind.COMMUNE, "35238")))) == {"commune:35238"}


def test_an_empty_area_is_france(referentiel: None) -> None:
    assert sql(Area()) == set(Territory.objects.active().values_list("id", flat=True))


def test_the_rule_filters_a_related_model_through_a_prefix(referentiel: None) -> None:
    for name, kind, code in (
        ("a", Kind.COMMUNE, "22900"),
        ("b", Kind.COMMUNE, "2A004"),
        ("c", Kind.REGION, "53"),
    ):
        Atd.objects.create(name=name, kind="autre", structure=territory(kind, code))
    # Any model related to a territory: here the ATDs, by the territory that carries them.
    inside_22 = Atd.objects.filter(Area(departements=("22",)).q("structure__"))
    assert sorted(inside_22.values_list("name", flat=True)) == ["a"]
    inside_53 = Atd.objects.filter(Area(regions=("53",)).q("structure__"))
    assert sorted(inside_53.values_list("name", flat=True)) == ["a", "c"]


def test_inside_takes_the_parts_of_a_perimeter_or_one_territory(referentiel: None) -> None:
    by_parts = Territory.objects.inside(regions=["94"], epcis=[STRADDLING])
    assert set(by_parts) == set(Territory.objects.inside(Area(regions=("94",), epcis=(STRADDLING,))))
    corse = territory(Kind.REGION, "94")
    assert set(Territory.objects.inside_territory(corse)) == set(Territory.objects.inside(regions=["94"]))


def test_an_atd_member_sees_the_territories_inside_its_perimeter(referentiel: None) -> None:
    alice = get_user_model().objects.create_user("alice")
    assert scope_of(alice) is None
    atd = Atd.objects.create(name="ATD 22", kind="departement", structure=territory(Kind.DEPARTEMENT, "22"))
    atd.areas.add(territory(Kind.DEPARTEMENT, "22"))
    AtdMembership.objects.create(user=alice, atd=atd)
    member = scope_of(alice)
    assert member is not None and member.territory is not None and member.territory.code == "22"
    assert member.covers(territory(Kind.EPCI, STRADDLING))
    assert not member.covers(territory(Kind.COMMUNE, "35238"))
    assert set(member.territories_inside()) == set(Territory.objects.inside(departements=["22"]))


def test_the_matching_index_places_collectivites_with_the_same_rule(referentiel: None) -> None:
    from odl.harvest.matching import ReferentielIndex

    index = ReferentielIndex()
    cotes_d_armor = index.perimeter(territory(Kind.DEPARTEMENT, "22").pk)
    assert cotes_d_armor is not None
    inside = {f"{r.kind}:{r.code}" for r in index.by_id.values() if index.inside(r, cotes_d_armor)}
    expected = Territory.objects.collectivites().inside(departements=["22"]).values_list("kind", "code")
    assert inside == {f"{kind}:{code}" for kind, code in expected}
    assert f"epci:{STRADDLING}" in inside


def saved(query: str, owner: Any) -> Perimeter:
    return Perimeter.objects.create(name="Test", slug="test", query=query, owner=owner)


def test_a_saved_perimeter_gives_the_criteria_of_its_ciblage_page(referentiel: None, atd_agent: Any) -> None:
    query = (
        "region=94&departement=22&epci=243500139&kind=commune&seuil=5000&pop_min=100&q=saint&tri=-population"
    )
    perimeter = saved(query, atd_agent)
    criteria = perimeter.criteria()
    assert criteria == criteria_from_params(QueryDict(query))
    assert criteria.regions == ("94",) and criteria.departements == ("22",)
    assert criteria.epcis == ("243500139",) and criteria.kinds == ("commune",)
    assert (criteria.threshold, criteria.min_population, criteria.query) == (5000, 100, "saint")
    assert criteria.area == Area(regions=("94",), departements=("22",), epcis=("243500139",))
    assert [row["code"] for row in compute_targets(criteria).rows] == ["22278"]


def test_an_unusable_saved_perimeter_says_why_in_french(referentiel: None, atd_agent: Any) -> None:
    with pytest.raises(CriteriaError, match="Département inconnu"):
        saved("departement=99", atd_agent).criteria()
