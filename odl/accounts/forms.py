"""Forms of the accounts pages: invitations, accepting one, two-factor codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.db.models import Q
from django.utils import timezone

from odl.accounts.models import EtdAgent, Invitation, InvitationRole
from odl.atds.models import Atd, AtdMembership, AtdRole
from odl.territories.models import Territory


def find_collectivite(text: str) -> tuple[Territory | None, str]:
    """The collectivité named by a code INSEE, a SIREN or a name; or None and what went wrong."""
    query = text.strip()
    if not query:
        return None, "Indiquez la collectivité de l'agent invité (code INSEE, SIREN ou nom)."
    collectivites = Territory.objects.collectivites()
    exact = list(collectivites.filter(Q(code=query.upper()) | Q(siren=query.replace(" ", "")))[:5])
    found = (
        exact or list(collectivites.filter(nom__iexact=query)[:5]) or list(collectivites.search(query)[:6])
    )
    if not found:
        return (
            None,
            f"Aucune collectivité ne correspond à « {query} » : vérifiez le code INSEE, le SIREN ou le nom.",
        )
    if len(found) > 1:
        names = ", ".join(f"{t.nom} ({t.get_kind_display()} {t.code})" for t in found[:5])
        return (
            None,
            f"Plusieurs collectivités correspondent à « {query} » : {names}. Indiquez son code INSEE.",
        )
    return found[0], ""


class InviteForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique de la personne invitée")
    role = forms.ChoiceField(
        label="Rôle",
        choices=InvitationRole.choices,
        initial=InvitationRole.ANIMATEUR,
        widget=forms.RadioSelect,
    )
    collectivite = forms.CharField(
        label="Sa collectivité (pour un agent de collectivité)",
        required=False,
        max_length=200,
        help_text="Code INSEE, SIREN ou nom ; elle doit se trouver dans le périmètre de l'ATD.",
    )

    def __init__(self, *args: Any, atd: Atd, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.atd = atd
        self.territory: Territory | None = None

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, role = data.get("email"), data.get("role")
        if not email or not role:
            return data
        pending = Invitation.objects.pending().for_email(email).filter(atd=self.atd).first()
        if pending is not None:
            until = timezone.localtime(pending.expires_at)
            self.add_error(
                "email",
                f"Une invitation attend déjà une réponse de {email} (valable jusqu'au {until:%d/%m/%Y}) : "
                "annulez-la dans la liste ci-dessous avant d'en envoyer une autre.",
            )
            return data
        if role == InvitationRole.ETD:
            self._clean_collectivite(email, str(data.get("collectivite") or ""))
        elif AtdMembership.objects.filter(atd=self.atd, user__email__iexact=email).exists():
            self.add_error(
                "email", f"{email} fait déjà partie de l'équipe de l'ATD : changez son rôle plutôt."
            )
        return data

    def _clean_collectivite(self, email: str, text: str) -> None:
        territory, problem = find_collectivite(text)
        if territory is None:
            self.add_error("collectivite", problem)
            return
        if not self.atd.covers(territory):
            self.add_error(
                "collectivite",
                f"{territory.nom} n'est pas dans le périmètre de l'ATD « {self.atd.name} » : "
                "un ATD n'invite que des collectivités de son périmètre.",
            )
            return
        if EtdAgent.objects.filter(atd=self.atd, territory=territory, user__email__iexact=email).exists():
            self.add_error("email", f"{email} est déjà agent de {territory.nom} pour cet ATD.")
            return
        self.territory = territory


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Nouveau rôle", choices=AtdRole.choices)


class SignUpForm(UserCreationForm):  # type: ignore[type-arg]
    """The account of an invited person: the e-mail comes from the invitation."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "last_name")
        labels = {"username": "Identifiant de connexion", "first_name": "Prénom", "last_name": "Nom"}
        help_texts = {"username": "Lettres, chiffres et @ . + - _ ; 150 caractères au plus."}


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres (ou code de secours)",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
