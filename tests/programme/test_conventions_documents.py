"""Conventions: generated from a form, read back in every format, ATD templates, signed copies."""

from __future__ import annotations

import datetime as dt
import html
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from odfdo import Document

from odl.accounts.models import EtdAgent
from odl.core.documents import CONVENTION_PLACEHOLDERS, pdf_available
from odl.programme import conventions
from odl.programme.models import (
    Commitment,
    CommitmentStatus,
    Convention,
    ConventionTemplate,
    EtdStep,
    SignedCopy,
)
from tests import personas
from tests.programme.conventions_helpers import rennes_etd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


FORM = {
    "date": "2026-11-01",
    "duration_months": "24",
    "lieu": "Rennes",
    "atd_signatory": "Jean-Luc Chenut",
    "atd_signatory_title": "Président du conseil départemental",
    "etd_signatory": "Nathalie Appéré",
    "etd_signatory_title": "Maire",
    "datasets": ["scdl/subventions", "scdl/deliberations"],
    "publish_before": "2099-06-30",
    "commit_publish": "on",
    "commit_meetings": "on",
    "meetings_rate": "80",
    "commit_experience": "on",
    "commit_tool": "on",
    "tool": "Validata",
    "support": ["Animation du réseau des collectivités accompagnées (points mensuels, échanges)"],
    "support_text": "Deux ateliers au printemps.",
}
EXPECTED = [
    "ATD Ille-et-Vilaine",
    "Rennes",
    "Jean-Luc Chenut",
    "Président du conseil départemental",
    "Nathalie Appéré",
    "Maire",
    "1er novembre 2026",
    "30 juin 2099",
    "24",
    "Subventions (scdl/subventions)",
    "Délibérations (scdl/deliberations)",
    "Participer aux points mensuels (taux visé : 80 %)",
    "Partager un retour d'expérience",
    "Tester l'outil Validata",
    "Animation du réseau des collectivités accompagnées",
    "Deux ateliers au printemps.",
]


def odt_text(data: bytes) -> str:
    """Every paragraph and heading of the body (odfdo's own text also prints the table cells' raw values)."""
    body = Document(io.BytesIO(data)).body
    return "\n".join(str(p.text_recursive) for p in [*body.get_headers(), *body.get_paragraphs()])


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    source = tmp_path / "convention.pdf"
    source.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True, text=True
    ).stdout


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def create(client: Client, etd: Any, **changes: Any) -> Any:
    return client.post(reverse("programme:convention_new", args=[etd.atd.slug, etd.pk]), {**FORM, **changes})


def test_a_convention_made_from_the_form_lists_its_commitments_and_reads_back_in_odt_and_docx(
    atd_client: Client, atd_agent: Any
) -> None:
    etd = rennes_etd()
    response = create(atd_client, etd)
    convention = Convention.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/conventions/{convention.pk}/")
    labels = sorted(c.label for c in Commitment.objects.filter(convention=convention))
    assert labels == sorted(
        [
            "Participer aux points mensuels (taux visé : 80 %)",
            "Partager un retour d'expérience",
            "Publier le jeu scdl/deliberations avant le 30/06/2099",
            "Publier le jeu scdl/subventions avant le 30/06/2099",
            "Tester l'outil Validata",
        ]
    )
    for fmt, read in (("odt", odt_text), ("docx", docx_text)):
        answer = atd_client.get(
            reverse("programme:convention_document", args=[etd.atd.slug, etd.pk, convention.pk, fmt])
        )
        assert answer.status_code == 200 and answer["Content-Type"] == conventions.CONTENT_TYPES[fmt]
        text = read(answer.content)
        missing = [expected for expected in EXPECTED if expected not in text]
        assert not missing, (fmt, missing)
        assert "{{" not in text


@pytest.mark.skipif(
    not (pdf_available() and shutil.which("pdftotext")), reason="LibreOffice ou pdftotext absent"
)
def test_the_pdf_of_the_convention_reads_back_with_its_parties_dates_and_datasets(
    atd_client: Client, atd_agent: Any, tmp_path: Path
) -> None:
    etd = rennes_etd()
    create(atd_client, etd)
    convention = Convention.objects.get()
    answer = atd_client.get(
        reverse("programme:convention_document", args=[etd.atd.slug, etd.pk, convention.pk, "pdf"])
    )
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
    text = " ".join(pdf_text(answer.content, tmp_path).split())
    for expected in (
        "Jean-Luc Chenut",
        "Nathalie Appéré",
        "1er novembre 2026",
        "30 juin 2099",
        "Subventions (scdl/subventions)",
        "Tester l'outil Validata",
    ):
        assert expected in text


def test_the_page_says_when_pdf_is_unavailable(atd_client: Client, atd_agent: Any, monkeypatch: Any) -> None:
    etd = rennes_etd()
    create(atd_client, etd)
    convention = Convention.objects.get()
    monkeypatch.setattr("odl.programme.conventions_views.pdf_available", lambda: False)
    page = text_of(
        atd_client.get(reverse("programme:convention", args=[etd.atd.slug, etd.pk, convention.pk]))
    )
    assert "PDF indisponible : LibreOffice n'est pas installé sur le serveur" in page
    assert "document.pdf" not in page and "document.odt" in page and "document.docx" in page


def test_a_publish_date_already_past_is_refused_unless_confirmed(atd_client: Client, atd_agent: Any) -> None:
    etd = rennes_etd()
    refused = create(atd_client, etd, publish_before="2020-01-31")
    assert refused.status_code == 200 and "déjà passée" in text_of(refused)
    assert not Convention.objects.exists()
    create(atd_client, etd, publish_before="2020-01-31", confirm_past="on")
    publishing = Commitment.objects.publishing()
    assert publishing.count() == 2 and {c.status for c in publishing} == {CommitmentStatus.EN_RETARD}


def docx_template(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload_template(client: Client, slug: str, data: bytes, name: str = "modele.docx") -> Any:
    return client.post(
        reverse("programme:convention_templates", args=[slug]),
        {"name": "Notre modèle", "file": SimpleUploadedFile(name, data)},
    )


def test_the_templates_page_lists_every_placeholder_with_its_description(
    atd_client: Client, atd_agent: Any
) -> None:
    etd = rennes_etd()
    page = atd_client.get(reverse("programme:convention_templates", args=[etd.atd.slug])).content.decode()
    for name in CONVENTION_PLACEHOLDERS:
        assert f"{{{{ {name} }}}}" in page
    assert "Fonction de la personne qui signe pour la collectivité" in page


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(
    atd_client: Client, atd_agent: Any
) -> None:
    etd = rennes_etd()
    response = upload_template(
        atd_client, etd.atd.slug, docx_template("Entre {{ atd_nom }} et {{ nom_du_maire }}")
    )
    assert response.status_code == 200
    assert "Champ inconnu dans le modèle : {{ nom_du_maire }}" in text_of(response)
    assert not ConventionTemplate.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7 scan", "Ce fichier est un PDF"),
        (b"just text", "n'est pas un document ODT (LibreOffice) (ce n'est pas une archive ODT ou DOCX)"),
        (b"PK\x03\x04broken", "tronqué ou endommagé"),
    ],
)
def test_a_file_that_is_not_an_odt_or_docx_is_refused_with_its_reason(
    atd_client: Client, atd_agent: Any, data: bytes, expected: str
) -> None:
    etd = rennes_etd()
    response = upload_template(atd_client, etd.atd.slug, data, name="modele.odt")
    assert expected in text_of(response)
    assert not ConventionTemplate.objects.exists()


def test_a_template_over_the_size_limit_is_refused(atd_client: Client, atd_agent: Any, settings: Any) -> None:
    settings.ODL_CONVENTION_TEMPLATE_MAX_MB = 0
    etd = rennes_etd()
    response = upload_template(atd_client, etd.atd.slug, docx_template("{{ atd_nom }}"))
    assert "Modèle refusé : Le modèle dépasse la taille maximale de 0 Mo." in text_of(response)
    assert not ConventionTemplate.objects.exists()


def test_the_atds_own_template_is_used_and_offers_its_format_only(atd_client: Client, atd_agent: Any) -> None:
    etd = rennes_etd()
    upload_template(
        atd_client,
        etd.atd.slug,
        docx_template("Convention {{ atd_nom }} / {{ etd_nom }}, signée par {{ etd_signataire }}"),
    )
    template = ConventionTemplate.objects.get()
    assert (template.fmt, template.placeholders) == ("docx", ["atd_nom", "etd_nom", "etd_signataire"])
    create(atd_client, etd, template=str(template.pk))
    convention = Convention.objects.get()
    args = [etd.atd.slug, etd.pk, convention.pk]
    text = docx_text(atd_client.get(reverse("programme:convention_document", args=[*args, "docx"])).content)
    assert text.strip() == "Convention ATD Ille-et-Vilaine / Rennes, signée par Nathalie Appéré"
    refused = atd_client.get(reverse("programme:convention_document", args=[*args, "odt"]))
    assert refused.status_code == 302


def test_only_atd_admins_manage_templates(atd_agent: Any, small_referentiel: Path) -> None:
    animateur = personas.atd_agent("bob", role="animateur")
    etd = rennes_etd()
    response = personas.logged_in(animateur).get(
        reverse("programme:convention_templates", args=[etd.atd.slug])
    )
    assert response.status_code == 403


# --- Signed copies ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n% a signed scan\n"


def sign(
    client: Client, convention: Convention, data: bytes = PDF, day: str = "2026-11-03", **extra: Any
) -> Any:
    etd = convention.etd
    return client.post(
        reverse("programme:signed_copy_upload", args=[etd.atd.slug, etd.pk, convention.pk]),
        {"file": SimpleUploadedFile("signee.pdf", data), "signed_at": day},
        **extra,
    )


@pytest.fixture
def convention(atd_client: Client, atd_agent: Any) -> Convention:
    create(atd_client, rennes_etd())
    return Convention.objects.select_related("etd__atd").get()


def test_a_signed_pdf_is_versioned_and_moves_the_etd_to_convention_signee_on_its_date(
    atd_client: Client, convention: Convention
) -> None:
    assert sign(atd_client, convention).status_code == 302
    assert sign(atd_client, convention, PDF + b"v2", day="2026-11-04").status_code == 302
    copies = list(SignedCopy.objects.order_by("version"))
    assert [c.version for c in copies] == [1, 2]
    for copy, content in zip(copies, (PDF, PDF + b"v2"), strict=True):
        with copy.file.open("rb") as stored:
            assert stored.read() == content
    convention.refresh_from_db()
    assert (convention.status, convention.signed_at) == ("signee", dt.date(2026, 11, 4))
    etd = convention.etd
    etd.refresh_from_db()
    assert etd.step == EtdStep.CONVENTION_SIGNEE
    assert etd.step_changed_at.date() == dt.date(2026, 11, 3)
    assert (
        etd.history.filter(step=EtdStep.CONVENTION_SIGNEE).count() == 1
    )  # the second version does not move it again
    page = atd_client.get(
        reverse("programme:signed_copy_upload", args=[etd.atd.slug, etd.pk, convention.pk])
    ).content.decode()
    assert "Télécharger la version 1" in page and "Télécharger la version 2" in page


def test_an_etd_already_further_along_stays_where_it_is(atd_client: Client, convention: Convention) -> None:
    convention.etd.move_to(EtdStep.PUBLIEE, by=None)
    sign(atd_client, convention)
    convention.etd.refresh_from_db()
    assert convention.etd.step == EtdStep.PUBLIEE


def test_a_signed_copy_that_is_not_a_pdf_is_refused_and_nothing_is_stored(
    atd_client: Client, convention: Convention
) -> None:
    response = sign(atd_client, convention, b"PK\x03\x04 a docx renamed .pdf")
    assert response.status_code == 200
    assert (
        "« signee.pdf » n'est pas un fichier accepté pour l'exemplaire signé (formats acceptés : PDF)"
        in text_of(response)
    )
    assert not SignedCopy.objects.exists()
    convention.refresh_from_db()
    assert convention.status == "brouillon"


def test_a_200_mb_signed_copy_is_refused_from_its_length_before_being_read(
    atd_client: Client, convention: Convention, monkeypatch: Any
) -> None:
    def never(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the body was read")

    monkeypatch.setattr("django.http.request.HttpRequest._load_post_and_files", never)
    response = sign(atd_client, convention, CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    # Past the general upload limit (50 Mo), odl.core.middleware refuses it before the view runs.
    assert "dépasse la limite de 50 Mo" in text_of(response)
    assert not SignedCopy.objects.exists()


def test_a_signed_copy_over_the_limit_without_a_length_is_refused_after_reading(
    atd_client: Client, convention: Convention, settings: Any, monkeypatch: Any
) -> None:
    settings.ODL_SIGNED_COPY_MAX_MB = 1
    # A client that does not announce the length (chunked upload) gets past the first check.
    monkeypatch.setattr("odl.programme.conventions_views.body_too_large", lambda *_: False)
    response = sign(atd_client, convention, PDF + b"0" * (1024 * 1024 + 1))
    assert "la limite est de 1 Mo" in text_of(response)
    assert not SignedCopy.objects.exists()


def test_the_upload_form_still_checks_csrf(atd_agent: Any, convention: Convention) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(atd_agent)
    assert sign(client, convention).status_code == 403
    assert not SignedCopy.objects.exists()


def test_signed_copies_are_served_to_the_atd_the_etds_agents_and_coordinators_only(
    atd_client: Client, convention: Convention, coordinator_client: Client
) -> None:
    etd_agent = get_user_model().objects.create_user("nadia")  # of Rennes, not yet an agent of this ETD
    sign(atd_client, convention)
    etd = convention.etd
    url = reverse("programme:signed_copy", args=[etd.atd.slug, etd.pk, convention.pk, 1])
    outsider = personas.atd_agent("olga", territory=("departement", "2A"))
    assert personas.logged_in(outsider).get(url).status_code == 403
    assert personas.logged_in(etd_agent).get(url).status_code == 403  # not yet an agent of this ETD
    EtdAgent.objects.create(user=etd_agent, territory=etd.territory, atd=etd.atd)
    for client in (atd_client, coordinator_client, personas.logged_in(etd_agent)):
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert personas.citizen().get(url).status_code == 302
    assert (
        SignedCopy.objects.get().file.url.startswith("/") is True
    )  # stored under MEDIA_ROOT, which no URL serves
    assert personas.citizen().get(SignedCopy.objects.get().file.url).status_code == 404


def test_etd_includes_render_the_conventions_and_commitments(convention: Convention) -> None:
    from django.template.loader import render_to_string

    rendered = render_to_string("programme/etd/_conventions.html", {"etd": convention.etd})
    assert "Convention du 01/11/2026" in rendered
    rendered = render_to_string("programme/etd/_commitments.html", {"etd": convention.etd})
    assert "Tester l'outil Validata" in html.unescape(rendered)
