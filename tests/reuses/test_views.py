"""The gallery, a reuse, a dataset's reuses, the counts per département, the ATD forms, the observatories."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from odl.atds.models import Atd
from odl.observatory.history import take_snapshot
from odl.reuses.models import NationalObservatory, Origin, Reuse, ReuseKind
from odl.territories.models import Territory
from tests import personas
from tests.core.test_query_counts import assert_queries_do_not_grow
from tests.reuses.conftest import World, png

pytestmark = pytest.mark.django_db


def make_reuse(title: str, *territories: Territory, **fields: Any) -> Reuse:
    reuse = Reuse.objects.create(title=title, url="https://exemple.org/" + title.replace(" ", "-"), **fields)
    reuse.territories.add(*territories)
    return reuse


def test_the_gallery_filters_by_territory_theme_and_type(world: World) -> None:
    bruz = Territory.objects.get(kind="commune", code="35047")
    brieuc = Territory.objects.get(kind="commune", code="22278")
    make_reuse("Carte des vélos", world.rennes, kind=ReuseKind.CARTE, theme="transport_and_mobility")
    make_reuse("Appli des déchets", bruz, kind=ReuseKind.APPLICATION, theme="environment_and_energy")
    make_reuse("Article breton", brieuc, kind=ReuseKind.ARTICLE)
    make_reuse("Ancienne", world.rennes, archived_at="2025-01-01T00:00:00Z")
    client = Client()

    def titles(query: str) -> list[str]:
        response = client.get("/reutilisations/" + query)
        assert response.status_code == 200
        return [r.title for r in response.context["page"]]

    assert titles("") == ["Article breton", "Appli des déchets", "Carte des vélos"]
    assert titles("?territoire=D35") == ["Appli des déchets", "Carte des vélos"]
    assert titles("?territoire=35238") == ["Carte des vélos"]
    assert titles("?territoire=243500139") == ["Appli des déchets", "Carte des vélos"]  # Rennes Métropole
    assert titles("?theme=environment_and_energy") == ["Appli des déchets"]
    assert titles("?type=article") == ["Article breton"]


def test_the_gallery_shows_the_perimeter_figure_joined_to_the_observatory(world: World) -> None:
    make_reuse("Carte des vélos", world.rennes)
    take_snapshot()  # Rennes publishes datasets (world): it is open

    response = Client().get("/reutilisations/?territoire=D35")

    figure = response.context["figure"]
    assert (figure.open, figure.with_reuse, figure.reused) == (1, 1, 1)
    assert "collectivité ouverte avec au moins une réutilisation connue" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?territoire=99999", "Collectivités introuvables dans le référentiel : 99999"),
        ("?type=jeu", "Type de réutilisation inconnu : « jeu »."),
        ("?theme=cuisine", "Thème inconnu : « cuisine »."),
    ],
)
def test_bad_gallery_filters_get_a_french_message(world: World, query: str, message: str) -> None:
    response = Client().get("/reutilisations/" + query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_reuse_page_its_image_and_the_dataset_page(world: World) -> None:
    reuse = make_reuse("Carte des vélos", world.rennes)
    reuse.datasets.add(world.dataset)
    client = Client()

    page = client.get(reuse.get_absolute_url()).content.decode()
    assert "Stations vélo" in page and "Rennes" in page
    assert client.get(f"/reutilisations/{reuse.pk}/image").status_code == 404

    data = client.get(f"/reutilisations/jeux/{world.dataset.pk}/").content.decode()
    assert "Carte des vélos" in data
    assert (
        "Aucune réutilisation connue"
        in client.get(f"/reutilisations/jeux/{world.other.pk}/").content.decode()
    )


def test_the_territory_page_lists_its_reuses_and_the_national_observatories(world: World) -> None:
    make_reuse("Carte des vélos", world.rennes)
    page = Client().get("/collectivites/departement/35/").content.decode()
    assert "Carte des vélos" in page
    assert NationalObservatory.objects.count() == 2, "the kit's two, from the data migration"
    assert "Mon réseau mobile (Arcep)" in page and "Géodes (Santé publique France)" in page


def test_the_counts_per_departement(world: World) -> None:
    make_reuse("Carte des vélos", world.rennes)
    make_reuse("Article breton", Territory.objects.get(kind="commune", code="22278"))
    take_snapshot()
    response = Client().get("/reutilisations/perimetres/")
    rows = {row.code: (row.open, row.with_reuse, row.reused) for row in response.context["rows"]}
    assert rows == {"35": (1, 1, 1), "22": (0, 0, 1)}
    assert response.context["total"].with_reuse == 1


def test_an_atd_adds_a_reuse_with_its_image(world: World, atd_client: Client, atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    assert f"/suivi/{atd.slug}/reutilisations/" in atd_client.get("/reutilisations/").content.decode()
    image = SimpleUploadedFile("carte.png", png(), content_type="image/png")
    response = atd_client.post(
        f"/suivi/{atd.slug}/reutilisations/nouvelle/",
        {
            "title": "Carte des défibrillateurs", "kind": "carte", "url": "https://exemple.org/dae", "author": "Hackathon",
            "theme": "health", "description": "", "image_file": image, "dataset_ids": str(world.dataset.pk),
            "territory_codes": "35238, D35",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    reuse = Reuse.objects.get(title="Carte des défibrillateurs")
    assert reuse.atd == atd and reuse.origin == Origin.MANUAL
    assert set(reuse.territories.values_list("code", flat=True)) == {"35238", "35"}
    served = Client().get(f"/reutilisations/{reuse.pk}/image")
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"url": "javascript:alert(1)"}, "seules les adresses http(s) sont acceptées"),
        ({"url": "ftp://exemple.org/x"}, "seules les adresses http(s) sont acceptées"),
        (
            {"image_file": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")},
            "pas une image lisible",
        ),
        ({"territory_codes": "00000"}, "Collectivités introuvables dans le référentiel : 00000"),
        ({"dataset_ids": "abc"}, "Identifiants illisibles : abc."),
    ],
)
def test_bad_reuse_inputs_get_a_french_message_and_nothing_changes(
    world: World, atd_client: Client, atd_agent: Any, fields: dict[str, Any], message: str
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    existing = make_reuse("Déjà là", world.rennes, atd=atd)
    data = {
        "title": "Nouvelle",
        "kind": "carte",
        "url": "https://exemple.org/ok",
        "author": "",
        "theme": "",
        "description": "",
    }
    data.update(fields)
    response = atd_client.post(
        f"/suivi/{atd.slug}/reutilisations/<pk>/modifier/".replace("<pk>", str(existing.pk)), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Reuse.objects.get(pk=existing.pk).title == "Déjà là"


def test_a_huge_image_is_refused(world: World, atd_client: Client, atd_agent: Any, settings: Any) -> None:
    settings.ODL_REUSE_IMAGE_MAX_BYTES = 1000
    atd = Atd.objects.get(memberships__user=atd_agent)
    big = SimpleUploadedFile("x.png", png(400, 400) + b"\0" * 2000, content_type="image/png")
    data = {"title": "N", "kind": "carte", "url": "https://exemple.org/ok", "image_file": big}
    response = atd_client.post(f"/suivi/{atd.slug}/reutilisations/nouvelle/", data)
    assert response.status_code == 400
    assert "Image trop volumineuse" in response.content.decode()
    assert not Reuse.objects.exists()


def test_an_image_of_too_many_pixels_is_refused(world: World, settings: Any) -> None:
    from odl.reuses import images

    settings.ODL_REUSE_IMAGE_MAX_PIXELS = 100
    with pytest.raises(images.ImageProblem, match="Image trop grande : 20 × 20 pixels"):
        images.check(png(20, 20))


def test_correcting_a_harvested_reuse_dates_the_correction(
    world: World, atd_client: Client, atd_agent: Any
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    harvested = make_reuse("Moissonnée", world.rennes, origin=Origin.DATAGOUV, remote_id="r1")
    data = {
        "title": "Titre corrigé",
        "kind": "carte",
        "url": "https://exemple.org/ok",
        "territory_codes": "35238",
    }
    assert (
        atd_client.post(f"/suivi/{atd.slug}/reutilisations/{harvested.pk}/modifier/", data).status_code == 302
    )
    harvested.refresh_from_db()
    assert harvested.title == "Titre corrigé" and harvested.corrected_at is not None and harvested.atd is None


def test_another_atd_may_not_edit_an_atds_own_reuse(world: World, atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    own = make_reuse("À nous", world.rennes, atd=atd)
    bob = personas.atd_agent("bob", territory=("departement", "22"))
    other = Atd.objects.get(memberships__user=bob)
    response = personas.logged_in(bob).get(f"/suivi/{other.slug}/reutilisations/{own.pk}/modifier/")
    assert response.status_code == 404


def test_the_coordinator_edits_the_national_observatories(world: World, coordinator_client: Client) -> None:
    response = coordinator_client.post(
        "/coordination/observatoires-nationaux/",
        {
            "name": "Ma connexion internet",
            "theme": "très haut débit",
            "url": "javascript:x",
            "scope": "",
            "position": 5,
        },
    )
    assert response.status_code == 400 and "seules les adresses http(s)" in response.content.decode()
    data = {
        "name": "Ma connexion internet",
        "theme": "très haut débit",
        "url": "https://maconnexioninternet.arcep.fr/",
        "scope": "commune",
        "position": 5,
        "active": "on",
    }
    assert coordinator_client.post("/coordination/observatoires-nationaux/", data).status_code == 302
    added = NationalObservatory.objects.get(name="Ma connexion internet")
    assert "Ma connexion internet" in Client().get("/collectivites/commune/35238/").content.decode()
    assert "Ma connexion internet" not in Client().get("/collectivites/departement/35/").content.decode()
    assert (
        coordinator_client.post(
            f"/coordination/observatoires-nationaux/{added.pk}/", {"delete": "1"}
        ).status_code
        == 302
    )
    assert not NationalObservatory.objects.filter(pk=added.pk).exists()


def test_the_gallery_runs_as_many_queries_for_many_reuses_as_for_few(world: World) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            reuse = make_reuse(f"R{Reuse.objects.count()}-{i}", world.rennes, kind=ReuseKind.CARTE)
            reuse.datasets.add(world.dataset)

    client = Client()
    assert_queries_do_not_grow(client, "/reutilisations/", grow)
    assert_queries_do_not_grow(client, "/reutilisations/?territoire=D35&type=carte", grow)
    assert_queries_do_not_grow(client, f"/reutilisations/jeux/{world.dataset.pk}/", grow)
