"""Forms of the directory: a place added or corrected by hand, an import from a file or a URL."""

from __future__ import annotations

from typing import Any

from django import forms

from odl.atds.models import Atd
from odl.places.models import Origin, Place
from odl.territories.models import Kind, Territory


class PlaceForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    commune_code = forms.CharField(
        label="Code INSEE de la commune", max_length=5, help_text="par exemple 35238 pour Rennes"
    )

    class Meta:
        model = Place
        fields = [
            "name",
            "kind",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "website",
            "phone",
            "email",
            "hours",
            "description",
            "services",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "services": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "latitude": "degrés décimaux WGS 84, par exemple 48.1113",
            "longitude": "par exemple -1.6800",
        }

    def __init__(self, *args: Any, atd: Atd, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.atd = atd
        if self.instance.pk:
            self.initial["commune_code"] = self.instance.commune.code

    def clean_commune_code(self) -> Territory:
        code = self.cleaned_data["commune_code"].strip().upper()
        commune = Territory.objects.filter(kind=Kind.COMMUNE, code=code).first()
        if commune is None:
            raise forms.ValidationError(f"Aucune commune de code INSEE « {code} » dans le référentiel.")
        return commune

    def save(self, commit: bool = True) -> Place:
        place: Place = super().save(commit=False)
        place.commune = self.cleaned_data["commune_code"]
        if place.pk is None:
            place.atd = self.atd
        # Corrected by hand: a later import of the standard leaves it as the team left it.
        place.origin = Origin.MANUAL
        place.save()
        return place


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV du standard", required=False)
    url = forms.CharField(label="ou adresse du fichier (http ou https)", required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool((data.get("url") or "").strip()):
            raise forms.ValidationError("Choisissez un fichier OU indiquez une adresse.")
        return data
