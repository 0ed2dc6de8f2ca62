"""The document space: visibility for each persona, type and size checks, versions, search."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd
from odl.core import exports
from odl.programme import resources
from odl.programme.models import Etd, Resource, ResourceVersion
from odl.territories.models import Territory
from tests import personas

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def atd(atd_agent: Any) -> Atd:
    return Atd.objects.get(memberships__user=atd_agent)


@pytest.fixture
def world(atd: Atd, atd_agent: Any, coordinator: Any, etd_agent: Any) -> dict[str, Any]:
    """Three resources of the ATD of Ille-et-Vilaine (national, ATD, Rennes only) and six personas."""
    rennes = Etd.objects.create(atd=atd, territory=Territory.objects.get(kind="commune", code="35238"))
    acigne = Etd.objects.create(atd=atd, territory=Territory.objects.get(kind="commune", code="35001"))
    EtdAgent.objects.get_or_create(user=etd_agent, territory=rennes.territory, atd=atd)
    neighbour = get_user_model().objects.create_user("nadia")
    EtdAgent.objects.create(user=neighbour, territory=acigne.territory, atd=atd)
    stranger = personas.atd_agent("bruno", territory=("departement", "22"))
    made = {}
    for visibility, etd in (("national", None), ("atd", None), ("etd", rennes)):
        resource = Resource.objects.create(
            title=f"Fiche {visibility}", kind="fiche", visibility=visibility, atd=atd, etd=etd
        )
        resources.add_version(resource, PDF, "fiche.pdf", by=atd_agent)
        made[visibility] = resource
    clients = {
        "visiteur": personas.citizen(),
        "agent de Rennes": personas.logged_in(etd_agent),
        "agent d'une autre collectivité de l'ATD": personas.logged_in(neighbour),
        "équipe de l'ATD": personas.logged_in(atd_agent),
        "équipe d'un autre ATD": personas.logged_in(stranger),
        "coordination": personas.logged_in(coordinator),
    }
    return {"resources": made, "clients": clients}


# Who sees what: national for all, the ATD's for its team and its ETDs' agents, Rennes's for Rennes and its ATD.
EXPECTED = {
    "visiteur": {"national"},
    "agent de Rennes": {"national", "atd", "etd"},
    "agent d'une autre collectivité de l'ATD": {"national", "atd"},
    "équipe de l'ATD": {"national", "atd", "etd"},
    "équipe d'un autre ATD": {"national"},
    "coordination": {"national", "atd", "etd"},
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_visibility_is_respected_for_each_persona(world: dict[str, Any], persona: str) -> None:
    client: Client = world["clients"][persona]
    listing = client.get(reverse("programme:resources")).content.decode()
    for visibility, resource in world["resources"].items():
        allowed = visibility in EXPECTED[persona]
        assert (resource.title in listing) is allowed, visibility
        detail = client.get(reverse("programme:resource", args=[resource.pk]))
        download = client.get(reverse("programme:resource_download", args=[resource.pk, 1]))
        if allowed:
            assert detail.status_code == 200, visibility
            assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
            assert download["Content-Type"] == "application/pdf"
            assert download["Content-Disposition"].startswith("attachment")
        elif persona == "visiteur":
            # A visitor is asked to sign in; a signed-in user is not told the resource exists.
            assert detail.status_code == 302 and download.status_code == 302, visibility
        else:
            assert detail.status_code == 404 and download.status_code == 404, visibility


def test_the_file_is_stored_under_a_random_name_and_linked_only_through_the_download_view(
    world: dict[str, Any],
) -> None:
    stored = ResourceVersion.objects.get(resource=world["resources"]["atd"])
    assert "fiche" not in stored.file.name and stored.file.name.endswith(".pdf")
    page = world["clients"]["équipe de l'ATD"].get(reverse("programme:resource", args=[stored.resource_id]))
    assert stored.file.name not in page.content.decode()


def upload(client: Client, atd: Atd, content: bytes, name: str, **fields: Any) -> Any:
    data = {"title": "Guide de publication", "kind": "tutoriel", "licence": "CC-BY-SA-4.0", "tags": "Publication, données",
            "visibility": "national", "note": "", **fields, "file": SimpleUploadedFile(name, content)}  # fmt: skip
    return client.post(reverse("programme:resource_new", args=[atd.slug]), data)


def test_atd_staff_upload_a_resource_with_its_licence_tags_and_first_version(
    atd: Atd, atd_client: Client
) -> None:
    response = upload(atd_client, atd, PDF, "guide.pdf")
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.atd, resource.licence, resource.tags) == (
        atd,
        "CC-BY-SA-4.0",
        ["Publication", "données"],
    )
    assert resource.versions.get().content_type == "application/pdf"


def test_a_resource_for_one_etd_needs_that_etd(atd: Atd, atd_client: Client) -> None:
    response = upload(atd_client, atd, PDF, "guide.pdf", visibility="etd")
    assert response.status_code == 400
    assert "Choisissez la collectivité" in response.content.decode()
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "guide.pdf", "pas accepté"),
        (b"<html><script>alert(1)</script></html>", "page.html", "pas accepté"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "vieux.doc", "ancien format Office"),
    ],
)
def test_a_forbidden_type_is_refused_by_its_content_not_its_name(
    atd: Atd, atd_client: Client, content: bytes, name: str, message: str
) -> None:
    response = upload(atd_client, atd, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Resource.objects.exists() and not ResourceVersion.objects.exists()


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        # Far over the limit: refused from the declared Content-Length, before the body is read.
        (200_000, 413),
        # Just over it (within the room left for the form's fields): refused once read, by its size.
        (2_000, 400),
    ],
)
def test_an_oversized_file_is_refused_with_its_size_and_nothing_stored(
    atd: Atd, atd_client: Client, settings: Any, extra: int, status: int
) -> None:
    settings.ODL_RESOURCE_MAX_BYTES = 1000
    response = upload(atd_client, atd, PDF + b"0" * extra, "gros.pdf")
    assert response.status_code == status
    assert "la limite est de 1 Ko" in response.content.decode()
    assert not Resource.objects.exists()


def test_the_upload_still_checks_the_csrf_token(atd: Atd, atd_agent: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(atd_agent)
    assert upload(client, atd, PDF, "guide.pdf").status_code == 403
    assert not Resource.objects.exists()


def test_a_zip_bomb_disguised_as_a_docx_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (300 * 1024 * 1024))
    with pytest.raises(resources.ResourceProblem, match="bombe de décompression"):
        resources.sniff(buffer.getvalue(), "rapport.docx")


def test_office_images_and_text_files_are_recognised_by_their_bytes() -> None:
    import docx

    document = io.BytesIO()
    docx.Document().save(document)
    assert resources.sniff(document.getvalue(), "x.bin").endswith("wordprocessingml.document")
    assert resources.sniff(exports.to_ods(["a"], [[1]]), "x").endswith("opendocument.spreadsheet")
    assert resources.sniff(exports.to_xlsx(["a"], [[1]]), "x").endswith("spreadsheetml.sheet")
    assert resources.sniff(b"\x89PNG\r\n\x1a\n....", "x") == "image/png"
    assert resources.sniff(b"\xff\xd8\xff\xe0....", "x") == "image/jpeg"
    assert resources.sniff("nom;montant\nÉcole;12\n".encode(), "budget.csv") == "text/csv"
    assert resources.sniff(b"notes", "lisez-moi.txt") == "text/plain"
    with pytest.raises(resources.ResourceProblem, match="archive ZIP"):
        plain_zip = io.BytesIO()
        with zipfile.ZipFile(plain_zip, "w") as archive:
            archive.writestr("photo.txt", b"x")
        resources.sniff(plain_zip.getvalue(), "archive.zip")


def test_a_new_version_keeps_the_old_one_downloadable(
    world: dict[str, Any], atd: Atd, atd_client: Client
) -> None:
    resource = world["resources"]["atd"]
    new_pdf = PDF.replace(b"1.4", b"1.7")
    response = atd_client.post(
        reverse("programme:resource_new_version", args=[atd.slug, resource.pk]),
        {"file": SimpleUploadedFile("fiche-v2.pdf", new_pdf), "note": "Mise à jour 2027"},
    )
    assert response.status_code == 302
    assert list(resource.versions.values_list("version", "note")) == [(2, "Mise à jour 2027"), (1, "")]
    for version, content in ((1, PDF), (2, new_pdf)):
        download = atd_client.get(reverse("programme:resource_download", args=[resource.pk, version]))
        assert b"".join(download.streaming_content) == content  # type: ignore[attr-defined]
    page = atd_client.get(reverse("programme:resource", args=[resource.pk])).content.decode()
    assert "Mise à jour 2027" in page and "Télécharger la version 1" in page


def test_another_atd_cannot_add_a_version_to_this_atds_resource(world: dict[str, Any]) -> None:
    resource = world["resources"]["national"]
    stranger = world["clients"]["équipe d'un autre ATD"]
    other = Atd.objects.exclude(pk=resource.atd_id).get()
    for slug in (other.slug, resource.atd.slug):
        response = stranger.post(
            reverse("programme:resource_new_version", args=[slug, resource.pk]),
            {"file": SimpleUploadedFile("x.pdf", PDF), "note": "piratée"},
        )
        assert response.status_code in (403, 404)
    assert resource.versions.count() == 1


def test_search_by_title_and_tag_ignores_accents_and_case_and_filters_by_kind(
    atd: Atd, atd_client: Client
) -> None:
    Resource.objects.create(
        title="Délibération type", kind="modele", visibility="national", atd=atd, tags=["Élus"]
    )
    Resource.objects.create(
        title="Tutoriel CSV", kind="tutoriel", visibility="national", atd=atd, tags=["Subventions"]
    )
    url = reverse("programme:resources")
    assert "Délibération type" in atd_client.get(url, {"q": "deliberation"}).content.decode()
    assert "Délibération type" in atd_client.get(url, {"q": "ELUS"}).content.decode()
    found = atd_client.get(url, {"q": "subvention"}).content.decode()
    assert "Tutoriel CSV" in found and "Délibération type" not in found
    by_kind = atd_client.get(url, {"type": "modele"}).content.decode()
    assert "Délibération type" in by_kind and "Tutoriel CSV" not in by_kind
    exported = atd_client.get(reverse("programme:resources_export", args=["csv"]), {"q": "élus"})
    text = exported.content.decode("utf-8-sig")
    assert "Délibération type;Modèle" in text and "Tutoriel CSV" not in text
