"""An ATD admin invites colleagues and ETD agents by e-mail; the one-time link brings them in."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from odl.accounts.models import EtdAgent, Invitation, InvitationRole
from odl.atds.models import Atd, AtdMembership, AtdRole
from tests import personas

TEAM = "/comptes/atd/{slug}/equipe/"


def alice_atd(atd_agent: Any) -> Atd:
    return Atd.objects.get(memberships__user=atd_agent)


def invite(client: Client, atd: Atd, **data: str) -> Any:
    return client.post(TEAM.format(slug=atd.slug), {"role": "animateur", **data})


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def link_in_last_mail() -> str:
    match = re.search(r"https?://[^/\s]+(/comptes/invitation/[^/\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_an_atd_admin_sees_the_team_with_roles_invitations_and_etd_agents(
    atd_client: Client, atd_agent: Any, animateur: Any, etd_agent: Any
) -> None:
    atd = alice_atd(atd_agent)
    Invitation.issue(email="zoe@example.org", atd=atd, role=InvitationRole.ADMIN, created_by=atd_agent)
    page = text(atd_client.get(TEAM.format(slug=atd.slug)))
    assert "Bruno" in page and "Animateur" in page
    assert "zoe@example.org" in page
    assert "Rennes" in page and "Étienne" in page


def test_the_team_page_is_refused_to_an_animateur_and_to_another_atds_admin(
    atd_agent: Any, animateur_client: Client, other_atd_client: Client
) -> None:
    url = TEAM.format(slug=alice_atd(atd_agent).slug)
    assert animateur_client.get(url).status_code == 403
    assert other_atd_client.get(url).status_code == 403


def test_an_invited_colleague_creates_an_account_and_joins_the_team(
    atd_client: Client, atd_agent: Any
) -> None:
    atd = alice_atd(atd_agent)
    response = invite(atd_client, atd, email="Chloe@Example.org", role="admin")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["chloe@example.org"]
    link = link_in_last_mail()

    visitor = Client()
    assert "Créer votre compte" in text(visitor.get(link))
    response = visitor.post(
        link,
        {
            "username": "chloe",
            "first_name": "Chloé",
            "last_name": "Martin",
            "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide",
        },
    )
    assert response.status_code == 302
    chloe = get_user_model().objects.get(username="chloe")
    assert chloe.email == "chloe@example.org"
    assert AtdMembership.objects.get(user=chloe, atd=atd).role == AtdRole.ADMIN
    assert visitor.get("/comptes/").status_code == 200  # signed in at once


def test_an_etd_agent_of_a_commune_inside_the_perimeter_is_invited_by_code_insee(
    atd_client: Client, atd_agent: Any
) -> None:
    atd = alice_atd(atd_agent)
    invite(atd_client, atd, email="agent@rennes.example", role="etd", collectivite="35238")
    invitation = Invitation.objects.get(email="agent@rennes.example")
    assert invitation.territory is not None and invitation.territory.code == "35238"
    visitor = Client()
    visitor.post(
        link_in_last_mail(),
        {
            "username": "agent-rennes",
            "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide",
        },
    )
    agent = EtdAgent.objects.get(user__username="agent-rennes")
    assert agent.atd == atd and agent.territory.code == "35238"


def test_a_person_with_an_account_signs_in_and_accepts(
    atd_client: Client, atd_agent: Any, other_atd_staff: Any
) -> None:
    atd = alice_atd(atd_agent)
    invite(atd_client, atd, email=other_atd_staff.email)
    link = link_in_last_mail()
    denise = personas.logged_in(other_atd_staff)
    assert "Accepter l'invitation" in text(denise.get(link))
    assert "Un compte existe déjà" in text(Client().get(link))
    assert denise.post(link).status_code == 302
    assert AtdMembership.objects.filter(user=other_atd_staff, atd=atd, role=AtdRole.ANIMATEUR).exists()


def test_an_email_already_invited_to_this_atd_is_refused_and_the_first_invitation_kept(
    atd_client: Client, atd_agent: Any
) -> None:
    atd = alice_atd(atd_agent)
    invite(atd_client, atd, email="chloe@example.org")
    response = invite(atd_client, atd, email="CHLOE@example.org", role="admin")
    assert response.status_code == 400
    assert "Une invitation attend déjà une réponse" in text(response)
    assert Invitation.objects.filter(email="chloe@example.org").count() == 1
    assert len(mail.outbox) == 1


def test_a_member_of_the_team_is_not_invited_again(
    atd_client: Client, atd_agent: Any, animateur: Any
) -> None:
    response = invite(atd_client, alice_atd(atd_agent), email=animateur.email)
    assert response.status_code == 400
    assert "fait déjà partie de l'équipe" in text(response)


def test_a_collectivite_outside_the_perimeter_is_refused_with_its_name(
    atd_client: Client, atd_agent: Any
) -> None:
    response = invite(
        atd_client, alice_atd(atd_agent), email="x@example.org", role="etd", collectivite="22278"
    )
    assert response.status_code == 400
    assert "n'est pas dans le périmètre" in text(response)
    assert not Invitation.objects.exists()


def test_an_etd_invitation_without_a_collectivite_says_what_to_give(
    atd_client: Client, atd_agent: Any
) -> None:
    response = invite(atd_client, alice_atd(atd_agent), email="x@example.org", role="etd")
    assert "Indiquez la collectivité" in text(response)


def test_an_expired_link_says_so_and_stores_nothing(atd_agent: Any) -> None:
    atd = alice_atd(atd_agent)
    invitation, token = Invitation.issue(email="late@example.org", atd=atd, role=InvitationRole.ANIMATEUR)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = Client().post(
        f"/comptes/invitation/{token}/",
        {
            "username": "late",
            "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide",
        },
    )
    assert response.status_code == 410
    assert "a expiré" in text(response)
    assert not get_user_model().objects.filter(username="late").exists()


def test_a_link_used_once_cannot_be_used_again(atd_agent: Any) -> None:
    atd = alice_atd(atd_agent)
    _, token = Invitation.issue(email="once@example.org", atd=atd, role=InvitationRole.ANIMATEUR)
    data = {
        "username": "once",
        "password1": "une phrase de passe solide",
        "password2": "une phrase de passe solide",
    }
    assert Client().post(f"/comptes/invitation/{token}/", data).status_code == 302
    again = Client().post(f"/comptes/invitation/{token}/", {**data, "username": "twice"})
    assert again.status_code == 410
    assert "a déjà servi" in text(again)
    assert not get_user_model().objects.filter(username="twice").exists()


def test_a_revoked_invitation_no_longer_opens(atd_client: Client, atd_agent: Any) -> None:
    atd = alice_atd(atd_agent)
    invitation, token = Invitation.issue(email="no@example.org", atd=atd, role=InvitationRole.ANIMATEUR)
    atd_client.post(f"/comptes/atd/{atd.slug}/equipe/invitations/{invitation.pk}/annuler/")
    response = Client().get(f"/comptes/invitation/{token}/")
    assert response.status_code == 410
    assert "a été annulée" in text(response)


def test_an_unknown_link_is_a_404_not_a_500(db: None) -> None:
    assert Client().get("/comptes/invitation/n-importe-quoi/").status_code == 404


def test_an_admin_changes_a_role_but_the_last_admin_stays(
    atd_client: Client, atd_agent: Any, animateur: Any
) -> None:
    atd = alice_atd(atd_agent)
    alice = AtdMembership.objects.get(user=atd_agent, atd=atd)
    bruno = AtdMembership.objects.get(user=animateur, atd=atd)
    response = atd_client.post(
        f"/comptes/atd/{atd.slug}/equipe/membres/{alice.pk}/role/", {"role": "animateur"}, follow=True
    )
    assert "seul administrateur" in text(response)
    alice.refresh_from_db()
    assert alice.role == AtdRole.ADMIN
    atd_client.post(f"/comptes/atd/{atd.slug}/equipe/membres/{bruno.pk}/role/", {"role": "admin"})
    bruno.refresh_from_db()
    assert bruno.role == AtdRole.ADMIN


def test_an_admin_removes_a_member_but_not_the_last_admin(
    atd_client: Client, atd_agent: Any, animateur: Any
) -> None:
    atd = alice_atd(atd_agent)
    alice = AtdMembership.objects.get(user=atd_agent, atd=atd)
    bruno = AtdMembership.objects.get(user=animateur, atd=atd)
    atd_client.post(f"/comptes/atd/{atd.slug}/equipe/membres/{alice.pk}/retirer/")
    assert AtdMembership.objects.filter(pk=alice.pk).exists()
    atd_client.post(f"/comptes/atd/{atd.slug}/equipe/membres/{bruno.pk}/retirer/")
    assert not AtdMembership.objects.filter(pk=bruno.pk).exists()


def test_another_atds_admin_cannot_touch_this_team(
    atd_agent: Any, animateur: Any, other_atd_client: Client
) -> None:
    atd = alice_atd(atd_agent)
    bruno = AtdMembership.objects.get(user=animateur, atd=atd)
    assert (
        other_atd_client.post(f"/comptes/atd/{atd.slug}/equipe/membres/{bruno.pk}/retirer/").status_code
        == 403
    )
    assert AtdMembership.objects.filter(pk=bruno.pk).exists()


def test_the_team_exports_to_csv_xlsx_and_ods(atd_client: Client, atd_agent: Any, etd_agent: Any) -> None:
    atd = alice_atd(atd_agent)
    csv = atd_client.get(f"/comptes/atd/{atd.slug}/equipe/export.csv")
    assert "Rennes" in csv.content.decode("utf-8-sig")
    for fmt in ("xlsx", "ods"):
        assert atd_client.get(f"/comptes/atd/{atd.slug}/equipe/export.{fmt}").content[:2] == b"PK"
    assert atd_client.get(f"/comptes/atd/{atd.slug}/equipe/export.exe").status_code == 404


def test_an_e_mail_that_cannot_leave_stores_no_invitation_and_says_so(
    atd_client: Client, atd_agent: Any, monkeypatch: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("odl.accounts.views.send_mail", refuse)
    response = invite(atd_client, alice_atd(atd_agent), email="chloe@example.org")
    assert response.status_code == 400
    assert "Le courriel n'a pas pu partir" in text(response)
    assert not Invitation.objects.exists()


def test_a_collectivite_is_also_found_by_its_name(atd_client: Client, atd_agent: Any) -> None:
    invite(atd_client, alice_atd(atd_agent), email="agent@rennes.example", role="etd", collectivite="rennes")
    invitation = Invitation.objects.get()
    assert invitation.territory is not None and invitation.territory.code == "35238"


def test_an_unknown_collectivite_is_named_in_the_message(atd_client: Client, atd_agent: Any) -> None:
    response = invite(
        atd_client, alice_atd(atd_agent), email="x@example.org", role="etd", collectivite="Atlantide"
    )
    assert "Aucune collectivité ne correspond à « Atlantide »" in text(response)
