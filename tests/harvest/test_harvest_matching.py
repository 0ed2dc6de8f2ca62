"""Who published it: SIREN first, then siretisation extras, then the name within the territory."""

from __future__ import annotations

from pathlib import Path

import pytest
from harvest_replay import Replay, paged_ckan, serve_udata_fixtures

from odl.harvest.harvesters.runner import run_source
from odl.harvest.matching import ReferentielIndex, core_name, match
from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
from odl.territories.models import Territory
from tests import personas


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Ville de Rennes", ("rennes", "commune")),
        ("Mairie de Montluel (IRVE)", ("montluel", "commune")),
        ("Commune d'Acigné", ("acigne", "commune")),
        ("Mégalis Bretagne pour la commune de Pacé", ("pace", "commune")),
        ("Département d'Ille-et-Vilaine", ("ille et vilaine", "departement")),
        ("Communauté d'agglomération du Pays Ajaccien", ("le pays ajaccien", "epci")),
        ("Le Conseil Départemental de la Mayenne", ("la mayenne", "departement")),
        ("CU Angers Loire Métropole", ("angers loire metropole", "epci")),
        ("Vitré Communauté", ("vitre communaute", "epci")),
    ],
)
def test_names_are_folded_and_stripped_of_their_prefixes(name: str, expected: tuple[str, str]) -> None:
    assert core_name(name) == expected


@pytest.fixture
def index(small_referentiel: Path) -> ReferentielIndex:
    return ReferentielIndex()


def test_a_declared_siret_matches_by_its_siren(index: ReferentielIndex) -> None:
    result = match("Nom sans rapport", "21350238800013", {}, index, None)
    assert (result.status, result.method) == ("auto", "siren")
    assert Territory.objects.get(pk=result.territory_id).nom == "Rennes"


def test_siretisation_extras_are_checked_against_the_referentiel(index: ReferentielIndex) -> None:
    extras = {
        "siretisation:collectivite_territoriale:niveau": "commune",
        "siretisation:collectivite_territoriale:code_insee": "35001",
    }
    good = match("Commune d'Acigné", "", extras, index, None)
    assert (good.status, good.method) == ("auto", "siretisation")
    # Extras can be wrong: a name that does not agree goes to review with the proposal.
    doubtful = match("Syndicat des eaux", "", extras, index, None)
    assert (doubtful.status, doubtful.territory_id) == ("to_review", None)
    assert Territory.objects.get(pk=doubtful.candidate_id).code == "35001"


def test_a_name_matches_within_the_atd_perimeter(index: ReferentielIndex) -> None:
    ille_et_vilaine = index.perimeter(Territory.objects.get(kind="departement", code="35").pk)
    result = match("Mairie de Bruz", "", {}, index, ille_et_vilaine)
    assert (result.status, result.method) == ("auto", "name")
    corse = index.perimeter(Territory.objects.get(kind="region", code="94").pk)
    outside = match("Mairie de Bruz", "", {}, index, corse)
    assert outside.status == "auto"  # unique in France with its kind: still found, from the national rule
    assert match("Bruz", "", {}, index, corse).status == "to_review"


def test_unknown_bodies_are_not_collectivites_or_queued(index: ReferentielIndex) -> None:
    assert (
        match(
            "Santé publique France",
            "13002233800011",
            {"siretisation:est_collectivite_territoriale": "False"},
            index,
            None,
        ).status
        == "not_collectivite"
    )
    assert match("Commune de Nulle-Part", "", {}, index, None).status == "to_review"
    assert match("Association des amis du vélo", "", {}, index, None).status == "unmatched"


@pytest.mark.django_db
def test_harvested_data_gouv_publishers_are_matched_and_decisions_survive(
    small_referentiel: Path, replay: Replay, harvest_data: Path
) -> None:
    datasets = serve_udata_fixtures(replay, harvest_data)
    source = HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=replay.url())
    run_source(source)
    # Sixt-sur-Aff is not in the small référentiel; its SIRET and extras are not enough.
    sixt = Publisher.objects.get(name="Commune de Sixt-sur-Aff")
    assert sixt.match_status == "to_review"
    insee = Publisher.objects.get(name__contains="Insee")
    assert insee.match_status == "not_collectivite"
    # A coordinator decides by hand; the next harvest keeps it.
    coordinator = personas.coordinator()
    rennes = Territory.objects.get(kind="commune", code="35238")
    sixt.territory, sixt.match_status, sixt.decided_by = rennes, "accepted", coordinator
    sixt.save()
    datasets[8]["title"] = "Titre changé"
    run_source(source)
    sixt.refresh_from_db()
    assert (sixt.territory, sixt.match_status) == (rennes, "accepted")
    assert HarvestedDataset.objects.counted().filter(publisher=sixt).count() == 1


@pytest.mark.django_db
def test_a_local_portal_publisher_matches_by_name_in_its_owner_perimeter(
    small_referentiel: Path, replay: Replay, harvest_data: Path
) -> None:
    import json

    packages = json.loads((harvest_data / "ckan/demo.ckan.org-package_search.json").read_text())["result"][
        "results"
    ]
    packages[0]["organization"] = {"id": "org-1", "name": "ville-de-bruz", "title": "Ville de Bruz"}
    packages[1]["organization"] = {"id": "org-2", "name": "acigne", "title": "Acigné"}
    paged_ckan(replay, packages)
    ille_et_vilaine = Territory.objects.get(kind="departement", code="35")
    source = HarvestSource.objects.create(
        name="Portail 35", kind="ckan", url=replay.url(), owner=ille_et_vilaine
    )
    run_source(source)
    assert Publisher.objects.get(remote_id="org-1").territory.nom == "Bruz"
    acigne = Publisher.objects.get(remote_id="org-2")
    assert (acigne.match_status, acigne.territory.code) == ("auto", "35001")


@pytest.mark.slow
@pytest.mark.django_db
def test_the_real_data_gouv_organisations_match_the_real_referentiel(
    npm_referentiel: Path, replay: Replay, harvest_data: Path
) -> None:
    from odl.territories.loader import load_referentiel

    load_referentiel(npm_referentiel)
    serve_udata_fixtures(replay, harvest_data)
    run_source(HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=replay.url()))

    def matched(name: str) -> tuple[str, str, str | None]:
        publisher = Publisher.objects.select_related("territory", "candidate").get(name=name)
        found = publisher.territory or publisher.candidate
        return publisher.match_status, publisher.match_method, found.code if found else None

    assert matched("Mairie de Montluel (IRVE)") == ("auto", "siren", "01262")
    assert matched("Commune de Sixt-sur-Aff") == ("auto", "siren", "35328")
    assert matched("Métropole de Lyon")[:2] == ("auto", "siren")
    assert matched("Durance Luberon Verdon Agglomération")[:2] == ("auto", "siren")
    # The declared SIRET is the Région's own, whose SIREN the référentiel's own data ship.
    assert matched("SGAR Auvergne-Rhône-Alpes") == ("auto", "siren", "84")
    assert matched("Santé publique France")[0] == "not_collectivite"
    # The accompanying structure publishing for the commune of Garein is not a collectivité itself.
    assert (
        matched("Agence Départementale D'Aide aux Collectivités Locales des Landes")[0] == "not_collectivite"
    )
