"""In a real Chromium: Alice invites a colleague from her team page; the colleague joins by the link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from odl.atds.models import AtdMembership
from tests import personas
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_atd_admin_invites_a_colleague_who_joins_with_the_link(live_server: Any, atd_agent: Any) -> None:
    with chromium_page() as page:
        page.goto(f"{live_server.url}/comptes/connexion/")
        assert axe_violations(page) == []
        page.get_by_label("Identifiant").fill("alice")
        page.get_by_label("Mot de passe").fill(personas.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/comptes/")
        assert axe_violations(page) == []

        page.get_by_role("link", name="Mon équipe").click()
        page.get_by_label("Adresse électronique de la personne invitée").fill("pas-une-adresse")
        page.get_by_role("button", name="Envoyer l'invitation").click()
        assert page.get_by_text("Saisissez une adresse de courriel valide.").is_visible()
        assert axe_violations(page) == []

        page.get_by_label("Adresse électronique de la personne invitée").fill("chloe@example.org")
        page.get_by_label("Administrateur de l'ATD").check()
        page.get_by_role("button", name="Envoyer l'invitation").click()
        assert page.get_by_text("Invitation envoyée à chloe@example.org.").is_visible()
        assert page.get_by_role("cell", name="chloe@example.org", exact=True).is_visible()

        page.get_by_role("link", name="Sécurité").click()
        assert page.locator(".qr svg").is_visible()
        assert axe_violations(page) == []

    match = re.search(r"https?://[^/\s]+(/comptes/invitation/[^/\s]+/)", mail.outbox[-1].body)
    assert match
    with chromium_page() as page:
        page.goto(f"{live_server.url}{match.group(1)}")
        assert axe_violations(page) == []
        page.get_by_label("Identifiant de connexion").fill("chloe")
        page.locator("#id_password1").fill("une phrase de passe solide")
        page.locator("#id_password2").fill("une phrase de passe solide")
        page.get_by_role("button", name="Créer mon compte et accepter").click()
        page.wait_for_url("**/comptes/")
        assert page.get_by_text("Bienvenue dans l'équipe").is_visible()
    assert AtdMembership.objects.filter(user__username="chloe", role="admin").exists()
