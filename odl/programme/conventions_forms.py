"""Forms of the conventions and commitments pages; every message says what is wrong and where."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from odl.atds.models import Atd
from odl.programme.conventions import schema_choices, support_choices
from odl.programme.models import Commitment, CommitmentKind, CommitmentStatus, Convention, ConventionTemplate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAST_CONFIRMATION = (
    "Je confirme cette échéance déjà passée : l'engagement sera enregistré comme « en retard »."
)


def _past_due(day: dt.date | None, confirmed: bool) -> str | None:
    """Our choice: a due date in the past is accepted only when the user confirms it explicitly."""
    if day is None or day >= timezone.localdate() or confirmed:
        return None
    return (
        f"L'échéance du {day:%d/%m/%Y} est déjà passée. Choisissez une date à venir, ou cochez la case de "
        "confirmation si l'engagement est bien déjà en retard."
    )


class ConventionForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    datasets = forms.MultipleChoiceField(
        label="Jeux de données du SCDL visés",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    support = forms.MultipleChoiceField(
        label="Accompagnement proposé par l'ATD",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="d'après l'offre déclarée de l'ATD",
    )
    commit_publish = forms.BooleanField(
        label="Publier chaque jeu visé avant la date limite", required=False, initial=True
    )
    commit_meetings = forms.BooleanField(label="Participer aux points mensuels", required=False, initial=True)
    meetings_rate = forms.IntegerField(
        label="Taux de participation visé (%)", min_value=1, max_value=100, initial=75, required=False
    )
    commit_experience = forms.BooleanField(label="Partager un retour d'expérience", required=False)
    commit_tool = forms.BooleanField(label="Tester un outil", required=False)
    tool = forms.CharField(label="Outil à tester", max_length=200, required=False)
    confirm_past = forms.BooleanField(label=PAST_CONFIRMATION, required=False)

    class Meta:
        model = Convention
        fields = [
            "template",
            "date",
            "duration_months",
            "lieu",
            "atd_signatory",
            "atd_signatory_title",
            "etd_signatory",
            "etd_signatory_title",
            "datasets",
            "publish_before",
            "support",
            "support_text",
        ]
        widgets = {"date": DATE, "publish_before": DATE}

    def __init__(self, *args: Any, atd: Atd, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template = self.fields["template"]
        assert isinstance(template, forms.ModelChoiceField)
        template.queryset = ConventionTemplate.objects.filter(atd=atd)
        template.empty_label = "Modèle de la plateforme (ODT et DOCX)"
        template.label = "Modèle"
        datasets = self.fields["datasets"]
        assert isinstance(datasets, forms.MultipleChoiceField)
        datasets.choices = schema_choices()
        support = self.fields["support"]
        assert isinstance(support, forms.MultipleChoiceField)
        support.choices = support_choices(atd)
        if not self.is_bound:
            self.initial.setdefault("support", [value for value, _ in support_choices(atd)])
            self.initial.setdefault("support_text", atd.offer_text)
        for name in ("atd_signatory", "etd_signatory", "lieu"):
            self.fields[name].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("commit_publish") and data.get("datasets"):
            if not data.get("publish_before"):
                self.add_error(
                    "publish_before", "Indiquez la date avant laquelle les jeux visés seront publiés."
                )
            problem = _past_due(data.get("publish_before"), bool(data.get("confirm_past")))
            if problem:
                self.add_error("publish_before", problem)
        if data.get("commit_meetings") and not data.get("meetings_rate"):
            self.add_error("meetings_rate", "Indiquez le taux de participation visé, entre 1 et 100 %.")
        if data.get("commit_tool") and not (data.get("tool") or "").strip():
            self.add_error("tool", "Indiquez le nom de l'outil que la collectivité testera.")
        return data


class TemplateForm(forms.Form):
    name = forms.CharField(label="Nom du modèle", max_length=200)
    file = forms.FileField(label="Fichier du modèle (ODT ou DOCX)")


class SignedCopyForm(forms.Form):
    file = forms.FileField(label="Exemplaire signé (PDF)")
    signed_at = forms.DateField(label="Date de signature", widget=DATE, initial=timezone.localdate)

    def clean_signed_at(self) -> dt.date:
        day: dt.date = self.cleaned_data["signed_at"]
        if day > timezone.localdate():
            raise forms.ValidationError(f"La date de signature ({day:%d/%m/%Y}) est dans le futur.")
        return day


class CommitmentForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    schema_id = forms.ChoiceField(label="Jeu SCDL à publier", required=False)
    evidence_url = forms.URLField(
        label="Preuve (lien)", max_length=1000, required=False, assume_scheme="https"
    )
    evidence_upload = forms.FileField(
        label="Preuve (fichier)", required=False, help_text="PDF, image PNG ou JPEG, document bureautique"
    )
    confirm_past = forms.BooleanField(label=PAST_CONFIRMATION, required=False)

    class Meta:
        model = Commitment
        fields = [
            "kind",
            "schema_id",
            "target_rate",
            "tool",
            "text",
            "due_date",
            "evidence_url",
            "evidence_date",
        ]
        widgets = {"due_date": DATE, "evidence_date": DATE}
        labels = {"text": "Libellé (pour un engagement libre, ou pour préciser)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = self.fields["schema_id"]
        assert isinstance(schema, forms.ChoiceField)
        schema.choices = [("", "—"), *schema_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == CommitmentKind.PUBLISH and not data.get("schema_id"):
            self.add_error("schema_id", "Choisissez le jeu SCDL que la collectivité s'engage à publier.")
        if kind == CommitmentKind.MEETINGS and not data.get("target_rate"):
            self.add_error("target_rate", "Indiquez le taux de participation visé, entre 1 et 100 %.")
        if kind == CommitmentKind.TEST_TOOL and not (data.get("tool") or "").strip():
            self.add_error("tool", "Indiquez le nom de l'outil à tester.")
        if kind == CommitmentKind.FREE and not (data.get("text") or "").strip():
            self.add_error("text", "Décrivez l'engagement en quelques mots.")
        rate = data.get("target_rate")
        if rate is not None and not 1 <= rate <= 100:
            self.add_error("target_rate", "Le taux visé est un pourcentage entre 1 et 100.")
        # Only a new or moved due date needs the confirmation: editing the note of an overdue one does not.
        due = data.get("due_date")
        if self.instance.pk is None or due != self.initial.get("due_date"):
            problem = _past_due(due, bool(data.get("confirm_past")))
            if problem:
                self.add_error("due_date", problem)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Statut",
        choices=[("", "Suivi automatique par la plateforme"), *CommitmentStatus.choices],
        required=False,
    )
    note = forms.CharField(
        label="Pourquoi ce statut", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") and not (data.get("note") or "").strip():
            self.add_error("note", "Dites en quelques mots pourquoi vous fixez ce statut à la main.")
        return data
