"""Who is who on the platform, beyond ATD teams: ETD agents, and the invitations that bring people in.

Roles (see :mod:`odl.accounts.roles`): a national coordinator is a staff user; ATD staff are members of
an ATD (``odl.atds``) as admin or animateur; an ETD agent works for one collectivité and was invited by
its ATD; everybody else is a public visitor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from odl.atds.models import Atd
from odl.territories.models import Territory


class EtdAgent(models.Model):
    """A user who works for a collectivité accompanied by an ATD (an ETD)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="etd_roles")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="etd_agents")
    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="etd_agents")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "territory", "atd"], name="etd_agent_unique")]
        verbose_name = "agent d'une collectivité accompagnée"

    def __str__(self) -> str:
        return f"{self.user} ({self.territory.nom})"


class InvitationRole(models.TextChoices):
    ADMIN = "admin", "Administrateur de l'ATD"
    ANIMATEUR = "animateur", "Animateur de l'ATD"
    ETD = "etd", "Agent d'une collectivité accompagnée"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def invitation_days() -> int:
    return int(getattr(settings, "ODL_INVITATION_DAYS", 14))


class Invitation(models.Model):
    """A one-time link sent by e-mail; only its hash is stored, so a leaked database opens no account."""

    email = models.EmailField("courriel")
    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField("rôle", max_length=20, choices=InvitationRole.choices)
    territory = models.ForeignKey(
        Territory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="la collectivité d'un agent invité comme ETD",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "invitation"

    def __str__(self) -> str:
        return f"{self.email} → {self.atd} ({self.get_role_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, **fields: Any) -> tuple[Invitation, str]:
        """A new invitation and its clear token (to put in the link; never stored)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            token_hash=cls.hash_token(token),
            expires_at=timezone.now() + timedelta(days=invitation_days()),
            **fields,
        )
        return invitation, token

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
