"""The audit log records who changed what, and {% audit_trail obj %} says it in French."""

from __future__ import annotations

import html
from typing import Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.template import Context, Template
from django.test import Client

from odl.accounts.models import Invitation
from odl.atds.models import Atd, AtdMembership, AtdRole
from odl.programme.models import Commitment, CommitmentKind, CommitmentStatus, Etd
from odl.territories.models import Territory


def render_trail(obj: Any) -> str:
    return html.unescape(Template("{% load audit %}{% audit_trail obj %}").render(Context({"obj": obj})))


def test_a_role_changed_through_the_team_page_records_its_author_and_shows_it(
    atd_client: Client, atd_agent: Any, animateur: Any
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    bruno = AtdMembership.objects.get(user=animateur, atd=atd)
    atd_client.post(f"/comptes/atd/{atd.slug}/equipe/membres/{bruno.pk}/role/", {"role": AtdRole.ADMIN})
    entry = LogEntry.objects.get_for_object(bruno).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == atd_agent
    trail = render_trail(bruno)
    assert "Alice : modification" in trail
    assert "rôle : Animateur → Administrateur de l'ATD" in trail


def test_a_commitment_status_reads_a_faire_then_tenu(atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    etd = Etd.objects.create(atd=atd, territory=Territory.objects.get(kind="commune", code="35238"))
    with set_actor(atd_agent):
        commitment = Commitment.objects.create(etd=etd, kind=CommitmentKind.EXPERIENCE)
        commitment.status = CommitmentStatus.TENU
        commitment.save()
    trail = render_trail(commitment)
    assert "statut : À faire → Tenu" in trail
    assert "Alice : création" in trail


def test_a_change_made_by_the_platform_itself_is_signed_la_plateforme(atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    atd.offer_text = "Ateliers trimestriels"
    atd.save()
    assert "la plateforme : modification" in render_trail(atd)


def test_an_invitation_is_audited_without_its_token(atd_client: Client, atd_agent: Any) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    atd_client.post(f"/comptes/atd/{atd.slug}/equipe/", {"email": "x@example.org", "role": "animateur"})
    invitation = Invitation.objects.get()
    entry = LogEntry.objects.get_for_object(invitation).get()
    assert entry.actor == atd_agent
    assert "token_hash" not in entry.changes_dict


def test_an_object_without_history_says_so(atd_agent: Any) -> None:
    LogEntry.objects.all().delete()
    assert "Aucune modification enregistrée" in render_trail(Atd.objects.get(memberships__user=atd_agent))
