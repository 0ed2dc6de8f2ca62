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
from django.db import models, transaction
from django.utils import timezone

from odl.atds.models import Atd, AtdMembership
from odl.territories.models import Territory


class EtdAgentQuerySet(models.QuerySet["EtdAgent"]):
    def of_atd(self, atd: Atd) -> EtdAgentQuerySet:
        return self.filter(atd=atd).select_related("user", "territory").order_by("territory__nom")


class EtdAgent(models.Model):
    """A user who works for a collectivité accompanied by an ATD (an ETD)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="etd_roles")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="etd_agents")
    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="etd_agents")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EtdAgentQuerySet.as_manager()

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

    def for_email(self, email: str) -> InvitationQuerySet:
        return self.filter(email__iexact=email.strip())

    def by_token(self, token: str) -> Invitation | None:
        return self.select_related("atd", "territory").filter(token_hash=Invitation.hash_token(token)).first()


class InvitationUnusable(Exception):
    """The link cannot bring anybody in any more; the message says why, in French."""


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

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def unusable_reason(self) -> str | None:
        """Why this link no longer works, in words for the person who clicked it; None when it does."""
        if self.accepted_at is not None:
            return (
                f"Ce lien d'invitation a déjà servi, le {timezone.localtime(self.accepted_at):%d/%m/%Y}. "
                "Connectez-vous avec le compte créé ce jour-là."
            )
        if self.revoked_at is not None:
            return f"Cette invitation a été annulée par l'ATD « {self.atd.name} »."
        if self.is_expired:
            return (
                f"Ce lien d'invitation a expiré le {timezone.localtime(self.expires_at):%d/%m/%Y}. "
                f"Demandez une nouvelle invitation à l'ATD « {self.atd.name} »."
            )
        return None

    def accept(self, user: Any) -> AtdMembership | EtdAgent:
        """Give the invited role to this user, once: a second use of the link raises InvitationUnusable."""
        with transaction.atomic():
            fresh = Invitation.objects.select_for_update().get(pk=self.pk)
            reason = fresh.unusable_reason()
            if reason:
                raise InvitationUnusable(reason)
            fresh.accepted_at = timezone.now()
            fresh.accepted_by = user
            fresh.save(update_fields=["accepted_at", "accepted_by"])
            self.accepted_at, self.accepted_by = fresh.accepted_at, user
            if self.role == InvitationRole.ETD:
                agent, _ = EtdAgent.objects.get_or_create(user=user, atd=self.atd, territory=self.territory)
                return agent
            # A member already in the team keeps the role the team gave them.
            membership, _ = AtdMembership.objects.get_or_create(
                user=user, atd=self.atd, defaults={"role": self.role}
            )
            return membership

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal key for the JSON API (a business application pushing its export every night).

    Only its SHA-256 is stored: the clear key is shown once, when it is created. The key is 256 random
    bits, so a fast hash is enough (nothing to brute-force, unlike a password).
    """

    PREFIX = "odl_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100, help_text="l'application qui s'en sert")
    # The first characters of the clear key, to recognise it in the list without being able to use it.
    hint = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "jeton d'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: Any, name: str) -> tuple[ApiToken, str]:
        """A new token and its clear key (to show once; never stored)."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, hint=key[:10], token_hash=cls.hash_token(key))
        return token, key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        """The active token of this clear key, or None (unknown, revoked, or its user deactivated)."""
        if not key or len(key) > 200:
            return None
        return cls.objects.active().select_related("user").filter(token_hash=cls.hash_token(key)).first()

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def touch(self) -> None:
        """Record the use, at most once a minute: a nightly push should not write on every call."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > timedelta(minutes=1):
            self.last_used_at = now
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
