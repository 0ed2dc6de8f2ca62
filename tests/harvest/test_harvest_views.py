"""Web pages of harvesting: roles and perimeters, the test button, run now, the review queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from harvest_replay import Replay, load, paged_ckan

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestRun, HarvestSource, Publisher
from odl.territories.models import Territory
from tests import personas
from tests.zipbombs import workbook_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_atd(small_referentiel: Path) -> Client:
    """Bob works for the ATD of Corse."""
    return personas.logged_in(personas.atd_agent("bob", territory=("region", "94")))


@pytest.fixture
def portal(replay: Replay, harvest_data: Path, small_referentiel: Path) -> HarvestSource:
    packages = load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"]
    packages[0]["organization"] = {"id": "o1", "title": "Bruz"}
    packages[1]["organization"] = {"id": "o2", "title": "Commune de Nulle-Part"}
    packages[2]["title"] = "<script>alert('xss')</script>"
    paged_ckan(replay, packages)
    owner = Territory.objects.get(kind="departement", code="35")
    return HarvestSource.objects.create(name="Portail 35", kind="ckan", url=replay.url(), owner=owner)


def test_pages_need_a_login(client: Client) -> None:
    response = client.get("/observatoire/moissonnage/")
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_an_atd_declares_a_source_after_testing_it(
    atd_client: Client, replay: Replay, harvest_data: Path
) -> None:
    paged_ckan(replay, load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"])
    form = {"name": "Mon portail", "kind": "ckan", "url": replay.url(), "schedule": "weekly", "tags": ""}
    tested = atd_client.post("/observatoire/moissonnage/sources/nouvelle/", {**form, "action": "test"})
    assert tested.status_code == 200
    assert "Aperçu de la première page" in tested.content.decode()
    assert "100 Validated Species of Plants" in tested.content.decode()
    assert HarvestSource.objects.count() == 0
    saved = atd_client.post("/observatoire/moissonnage/sources/nouvelle/", {**form, "action": "save"})
    source = HarvestSource.objects.get()
    assert saved["Location"] == f"/observatoire/moissonnage/sources/{source.pk}/"
    assert source.owner.code == "35"


def test_a_bad_url_or_an_unknown_dialect_is_explained_at_declaration(
    atd_client: Client, replay: Replay, harvest_data: Path
) -> None:
    bad = atd_client.post(
        "/observatoire/moissonnage/sources/nouvelle/",
        {"name": "x", "kind": "dcat", "url": "catalogue.fr/dcat", "schedule": "weekly", "action": "save"},
    )
    assert "n&#x27;est pas une adresse web valide" in bad.content.decode()
    replay.raw(
        "/csw",
        (harvest_data / "dcat/udata-tests/csw-geonetwork-dcat-page-1.xml").read_bytes(),
        "application/xml",
    )
    unknown = atd_client.post(
        "/observatoire/moissonnage/sources/nouvelle/",
        {"name": "x", "kind": "dcat", "url": replay.url("/csw"), "schedule": "weekly", "action": "test"},
    )
    assert "Le test a échoué" in unknown.content.decode() and "réponse CSW" in unknown.content.decode()
    assert HarvestSource.objects.count() == 0


def test_a_plain_user_cannot_declare(etd_client: Client) -> None:
    assert etd_client.get("/observatoire/moissonnage/sources/nouvelle/").status_code == 403


def test_run_now_harvests_and_shows_the_run_with_escaped_titles(
    atd_client: Client, portal: HarvestSource
) -> None:
    response = atd_client.post(f"/observatoire/moissonnage/sources/{portal.pk}/lancer/")
    run = HarvestRun.objects.get()
    assert response["Location"] == f"/observatoire/moissonnage/passages/{run.pk}/"
    page = atd_client.get(response["Location"]).content.decode()
    assert "réussi" in page and "Moissonnage de « Portail 35 »" in page
    detail = atd_client.get(f"/observatoire/moissonnage/sources/{portal.pk}/").content.decode()
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in detail
    assert "<script>alert" not in detail


def test_an_atd_only_sees_and_runs_its_own_sources(bob_atd: Client, portal: HarvestSource) -> None:
    assert "Portail 35" not in bob_atd.get("/observatoire/moissonnage/").content.decode()
    assert bob_atd.get(f"/observatoire/moissonnage/sources/{portal.pk}/").status_code == 404
    assert bob_atd.post(f"/observatoire/moissonnage/sources/{portal.pk}/lancer/").status_code == 404
    assert HarvestRun.objects.count() == 0


def test_the_review_queue_is_scoped_to_the_perimeter(
    atd_client: Client, bob_atd: Client, portal: HarvestSource
) -> None:
    run_source(portal)
    queue = atd_client.get("/observatoire/moissonnage/editeurs/").content.decode()
    assert "Commune de Nulle-Part" in queue
    assert "à vérifier (1)" in queue and "rapproché automatiquement (1)" in queue
    assert "Commune de Nulle-Part" not in bob_atd.get("/observatoire/moissonnage/editeurs/").content.decode()
    publisher = Publisher.objects.get(remote_id="o2")
    assert (
        bob_atd.post(
            f"/observatoire/moissonnage/editeurs/{publisher.pk}/decision/", {"action": "reject"}
        ).status_code
        == 404
    )


def test_review_decisions_are_recorded_and_survive_the_next_harvest(
    atd_client: Client, portal: HarvestSource, atd_agent: Any
) -> None:
    run_source(portal)
    nulle = Publisher.objects.get(remote_id="o2")
    url = f"/observatoire/moissonnage/editeurs/{nulle.pk}/decision/"
    # Outside the perimeter: refused with a message, nothing recorded.
    atd_client.post(url, {"action": "reassign", "territoire": "commune:2A004"})
    nulle.refresh_from_db()
    assert nulle.match_status == "to_review"
    atd_client.post(url, {"action": "reassign", "territoire": "commune:35206"})
    nulle.refresh_from_db()
    assert (nulle.match_status, nulle.territory.nom, nulle.decided_by) == ("accepted", "Pacé", atd_agent)
    bruz = Publisher.objects.get(remote_id="o1")
    atd_client.post(f"/observatoire/moissonnage/editeurs/{bruz.pk}/decision/", {"action": "not_collectivite"})
    atd_client.post(
        f"/observatoire/moissonnage/editeurs/{bruz.pk}/decision/",
        {"action": "on_behalf", "territoire": "commune:35047"},
    )
    run_source(portal)
    nulle.refresh_from_db()
    bruz.refresh_from_db()
    assert (nulle.match_status, nulle.territory.nom) == ("accepted", "Pacé")
    assert (bruz.match_status, bruz.territory, bruz.on_behalf_of.nom) == ("not_collectivite", None, "Bruz")


def test_staff_see_everything(admin_client: Client, portal: HarvestSource) -> None:
    run_source(portal)
    assert "Portail 35" in admin_client.get("/observatoire/moissonnage/").content.decode()
    assert admin_client.get("/observatoire/moissonnage/editeurs/?statut=to_review").status_code == 200


def test_a_running_harvest_shows_its_progress(atd_client: Client, portal: HarvestSource) -> None:
    HarvestRun.objects.create(source=portal, status="running", pages=3, items_seen=300)
    page = atd_client.get(f"/observatoire/moissonnage/sources/{portal.pk}/").content.decode()
    assert "Moissonnage en cours : 3 pages lues, 300 jeux vus" in page
    assert '<meta http-equiv="refresh" content="5">' in page


def test_a_decision_never_redirects_to_another_site(atd_client: Client, portal: HarvestSource) -> None:
    run_source(portal)
    publisher = Publisher.objects.get(remote_id="o2")
    response = atd_client.post(
        f"/observatoire/moissonnage/editeurs/{publisher.pk}/decision/",
        {"action": "reject", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/observatoire/moissonnage/editeurs/"


def test_a_manager_deactivates_a_source_and_its_datasets_stay(
    atd_client: Client, bob_atd: Client, portal: HarvestSource
) -> None:
    run_source(portal)
    assert bob_atd.post(f"/observatoire/moissonnage/sources/{portal.pk}/activation/").status_code == 404
    atd_client.post(f"/observatoire/moissonnage/sources/{portal.pk}/activation/")
    portal.refresh_from_db()
    assert portal.active is False
    assert portal.datasets.count() == 3
    assert (
        "Réactiver la source"
        in atd_client.get(f"/observatoire/moissonnage/sources/{portal.pk}/").content.decode()
    )


def test_the_mapping_exports_and_imports_from_the_web_within_the_perimeter(
    atd_client: Client, portal: HarvestSource
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    run_source(portal)
    exported = atd_client.get("/observatoire/moissonnage/editeurs/correspondances.csv")
    assert exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    nulle = next(line.split(";") for line in lines if "Nulle-Part" in line)
    nulle[header.index("statut")] = "accepted"
    nulle[header.index("collectivite_type")], nulle[header.index("collectivite_code")] = "commune", "35001"
    bruz = next(line.split(";") for line in lines if '"Bruz"' in line or ";Bruz;" in line)
    bruz[header.index("statut")] = "accepted"
    bruz[header.index("collectivite_type")], bruz[header.index("collectivite_code")] = "commune", "2A004"
    body = "\n".join([";".join(header), ";".join(nulle), ";".join(bruz)]).encode()
    response = atd_client.post(
        "/observatoire/moissonnage/editeurs/import/",
        {"file": SimpleUploadedFile("corr.csv", body, "text/csv")},
    )
    page = response.content.decode()
    assert "1 éditeur modifié" in page
    assert "ligne 3 : Ajaccio est hors du périmètre de votre ATD" in page
    assert Publisher.objects.get(remote_id="o2").territory.code == "35001"
    assert Publisher.objects.get(remote_id="o1").territory.code == "35047"


def test_a_zip_bomb_sent_as_a_mapping_is_refused_before_decompression(
    atd_client: Client, portal: HarvestSource
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    run_source(portal)
    before = list(Publisher.objects.order_by("pk").values("territory_id", "match_status", "match_method"))
    response = atd_client.post(
        "/observatoire/moissonnage/editeurs/import/",
        {"file": SimpleUploadedFile("corr.xlsx", workbook_bomb(), "application/octet-stream")},
    )
    page = response.content.decode()
    assert "se décompresse en 16 Mo" in page
    assert "bombe de décompression" in page
    assert "éditeur modifié" not in page
    after = list(Publisher.objects.order_by("pk").values("territory_id", "match_status", "match_method"))
    assert after == before


def test_an_unreadable_mapping_upload_gets_a_french_message(atd_client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = atd_client.post(
        "/observatoire/moissonnage/editeurs/import/",
        {"file": SimpleUploadedFile("corr.csv", b"a;b\n1;2\n", "text/csv")},
    )
    assert "Colonnes manquantes : source_id, editeur_id" in response.content.decode()
