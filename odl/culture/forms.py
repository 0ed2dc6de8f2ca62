"""Forms of the questionnaire: opening a campaign, and the respondent's header (the questions are
read by ``odl.culture.answering.parse_choices``, rendered as one fieldset per question)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from odl.culture.models import Campaign, RespondentRole
from odl.programme.models import Etd

OTHER_ETD = "autre"


class CampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Campaign
        fields = ["title", "etd", "closes_on", "anonymous", "retention_months", "consent_text"]
        widgets = {
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_text": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, etds: Any, fixed_etd: Etd | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_etd = fixed_etd
        field = self.fields["etd"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = etds
        field.label_from_instance = _etd_label  # type: ignore[method-assign,assignment]
        field.empty_label = "toutes les collectivités accompagnées"
        if fixed_etd is not None:
            del self.fields["etd"]

    def clean_closes_on(self) -> Any:
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < timezone.localdate():
            raise forms.ValidationError(
                "La date de clôture est passée : choisissez aujourd'hui ou plus tard."
            )
        return closes_on

    def clean_retention_months(self) -> int:
        months = int(self.cleaned_data["retention_months"])
        if not 1 <= months <= 60:
            raise forms.ValidationError("La durée de conservation va de 1 à 60 mois.")
        return months


def _etd_label(etd: Etd) -> str:
    return etd.territory.nom


class RespondentForm(forms.Form):
    etd = forms.ChoiceField(label="Votre collectivité", required=True)
    role = forms.ChoiceField(
        label="Votre fonction", choices=[("", "— choisissez —"), *RespondentRole.choices]
    )
    service = forms.CharField(
        label="Votre service", max_length=200, help_text="par exemple : urbanisme, finances"
    )
    name = forms.CharField(label="Vos prénom et nom", max_length=200, required=False)
    email = forms.EmailField(label="Votre adresse électronique (facultative)", required=False)
    consent = forms.BooleanField(
        label="J'ai lu les conditions ci-dessus et j'accepte que mes réponses soient enregistrées.",
        error_messages={"required": "Cochez la case de consentement pour enregistrer vos réponses."},
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if campaign.etd_id is not None:
            del self.fields["etd"]
        else:
            etds = Etd.objects.filter(atd=campaign.atd).active().select_related("territory")
            choices = [("", "— choisissez —"), *((str(e.pk), e.territory.nom) for e in etds)]
            field = self.fields["etd"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*choices, (OTHER_ETD, "Ma collectivité n'est pas dans la liste")]
        if campaign.anonymous:
            del self.fields["name"]
            del self.fields["email"]
        else:
            self.fields["name"].required = True

    def header(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.campaign.etd_id is not None:
            data["etd"] = self.campaign.etd
        elif data.get("etd") in ("", OTHER_ETD, None):
            data["etd"] = None
        else:
            data["etd"] = Etd.objects.filter(atd=self.campaign.atd, pk=int(data["etd"])).first()
        return data
