"""Each object's page shows who changed what on it: ETD, convention, commitment, resource, ATD."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from odl.atds.models import Atd
from odl.programme.models import Convention, Resource
from tests.programme.conventions_helpers import publish, rennes_etd

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def trail_of(response: Any) -> str:
    """The « Historique des modifications » section of a page, as plain text."""
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    found = re.search(r'<section class="audit-trail".*?</section>', page, re.S)
    assert found, "no audit trail on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_the_etd_page_lists_a_step_change_with_its_author(atd_agent: Any, atd_client: Client) -> None:
    etd = rennes_etd(step="ciblee")
    atd_client.post(reverse("programme:move", args=[etd.atd.slug, etd.pk]), {"step": "contactee"})
    trail = trail_of(atd_client.get(reverse("programme:etd", args=[etd.atd.slug, etd.pk])))
    assert "Historique des modifications" in trail
    assert "Alice : modification" in trail and "étape : Ciblée → Contactée" in trail


def test_the_convention_page_lists_its_creation_and_its_signature(atd_agent: Any, atd_client: Client) -> None:
    etd = rennes_etd()
    data = {"date": timezone.localdate().isoformat(), "duration_months": "12", "lieu": "Rennes",
            "atd_signatory": "Jeanne Martin", "etd_signatory": "Nathalie Appéré", "commit_meetings": "on",
            "meetings_rate": "75"}  # fmt: skip
    response = atd_client.post(reverse("programme:convention_new", args=[etd.atd.slug, etd.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    convention = Convention.objects.get(etd=etd)
    upload = SimpleUploadedFile("signee.pdf", PDF, content_type="application/pdf")
    signed = reverse("programme:signed_copy_upload", args=[etd.atd.slug, etd.pk, convention.pk])
    atd_client.post(signed, {"file": upload, "signed_at": timezone.localdate().isoformat()})
    trail = trail_of(
        atd_client.get(reverse("programme:convention", args=[etd.atd.slug, etd.pk, convention.pk]))
    )
    assert "Alice : création" in trail
    assert "Alice : modification" in trail and "statut : Brouillon → Signée" in trail


def test_the_commitment_page_lists_a_status_set_by_hand(atd_agent: Any, atd_client: Client) -> None:
    etd = rennes_etd()
    commitment = publish(etd)
    url = reverse("programme:commitment", args=[etd.atd.slug, etd.pk, commitment.pk])
    atd_client.post(url, {"action": "status", "status": "tenu", "note": "publié sur le site de la commune"})
    trail = trail_of(atd_client.get(url))
    assert "Alice : modification" in trail
    assert "statut : À faire → Tenu" in trail and "statut fixé par : auto → manual" in trail


def test_the_resource_page_lists_its_upload_for_the_team_only(
    atd_agent: Any, atd_client: Client, client: Client
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    data = {"title": "Guide de publication", "kind": "tutoriel", "licence": "CC-BY-SA-4.0", "tags": "guide",
            "visibility": "national", "note": "", "file": SimpleUploadedFile("guide.pdf", PDF)}  # fmt: skip
    assert atd_client.post(reverse("programme:resource_new", args=[atd.slug]), data).status_code == 302
    url = reverse("programme:resource", args=[Resource.objects.get().pk])
    assert "Alice : création" in trail_of(atd_client.get(url))
    public = client.get(url)
    assert public.status_code == 200 and "audit-trail" not in public.content.decode()


def test_the_atd_page_lists_an_edit_for_its_admins_only(
    atd_agent: Any, atd_client: Client, client: Client
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    data = {"name": atd.name, "kind": "departement", "structure": "35", "departements": "35", "regions": "",
            "epcis": "", "offer_animation": "on", "contact_name": "Mission données du 35",
            "contact_email": "donnees@example.org"}  # fmt: skip
    response = atd_client.post(reverse("atds:edit", args=[atd.slug]), data)
    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    trail = trail_of(atd_client.get(atd.get_absolute_url()))
    assert "Alice : modification" in trail and "→ Mission données du 35" in trail
    assert "audit-trail" not in client.get(atd.get_absolute_url()).content.decode()


def test_an_etd_agent_sees_the_trail_of_his_collectivite(etd_agent: Any, etd_client: Client) -> None:
    etd = rennes_etd(step="ciblee")  # Rennes, Étienne's commune
    etd.move_to("contactee", by=None)  # the platform moves it (as check_commitments does)
    trail = trail_of(etd_client.get(reverse("programme:etd", args=[etd.atd.slug, etd.pk])))
    assert "la plateforme : modification" in trail and "étape : Ciblée → Contactée" in trail
