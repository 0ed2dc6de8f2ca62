"""The planner's forms; every message is in French and names the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms

from odl.animations.models import Event, Format, Output, OutputKind, Participant
from odl.atds.models import Atd
from odl.harvest.models import HarvestedDataset
from odl.places.models import Place
from odl.programme.models import Etd
from odl.territories.models import Territory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    commune_code = forms.CharField(
        label="Code INSEE de la commune",
        max_length=5,
        required=False,
        help_text="facultatif, par exemple 35238 pour Rennes",
    )
    venue = forms.ModelChoiceField(
        label="Lieu de l'annuaire (Infolab, tiers-lieu, médiathèque…)",
        queryset=Place.objects.none(),
        required=False,
        help_text="facultatif : remplit le lieu et la commune quand ils sont vides",
    )
    dataset_ids = forms.CharField(
        label="Jeux de données moissonnés utilisés (identifiants)",
        required=False,
        help_text="les numéros des jeux moissonnés, séparés par des virgules",
    )

    class Meta:
        model = Event
        fields = [
            "format", "title", "starts_on", "ends_on", "place", "description", "etds",
            "participants_count", "south", "west", "north", "east", "collect_schema",
        ]  # fmt: skip
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "etds": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "south": "zone de collecte d'une cartopartie (degrés décimaux WGS 84)",
            "collect_schema": "nom court d'un schéma SCDL connu (equipements…) pour le formulaire des points",
        }

    def __init__(self, *args: Any, atd: Atd, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.atd = atd
        etds = self.fields["etds"]
        assert isinstance(etds, forms.ModelMultipleChoiceField)
        etds.queryset = Etd.objects.filter(atd=atd).select_related("territory", "atd")
        etds.label_from_instance = lambda etd: etd.territory.nom  # type: ignore[method-assign,assignment]
        venue = self.fields["venue"]
        assert isinstance(venue, forms.ModelChoiceField)
        # The directory's places inside the ATD's perimeter, their commune loaded with them.
        venue.queryset = (
            Place.objects.filter(commune__in=atd.territories_inside().values("pk"))
            .select_related("commune")
            .order_by("commune__nom", "name")
        )
        venue.label_from_instance = lambda p: f"{p.name} ({p.commune.nom})"  # type: ignore[method-assign,assignment]
        chosen = self.fields["format"]
        assert isinstance(chosen, forms.ModelChoiceField)
        chosen.queryset = Format.objects.all()
        if self.instance.pk:
            if self.instance.commune_id:
                self.initial["commune_code"] = self.instance.commune.code
            ids = self.instance.datasets.values_list("pk", flat=True)
            self.initial["dataset_ids"] = ", ".join(str(pk) for pk in ids)

    def clean_commune_code(self) -> Territory | None:
        code = self.cleaned_data["commune_code"].strip()
        if not code:
            return None
        commune = Territory.objects.filter(kind="commune", code=code).first()
        if commune is None:
            raise forms.ValidationError(f"Aucune commune de code INSEE « {code} » dans le référentiel.")
        return commune

    def clean_dataset_ids(self) -> list[HarvestedDataset]:
        raw = [part.strip() for part in self.cleaned_data["dataset_ids"].split(",") if part.strip()]
        wrong = [part for part in raw if not part.isdigit()]
        if wrong:
            raise forms.ValidationError(f"Identifiants illisibles : {', '.join(wrong[:5])}.")
        ids = {int(part) for part in raw}
        found = list(HarvestedDataset.objects.filter(pk__in=ids))
        missing = ids - {d.pk for d in found}
        if missing:
            raise forms.ValidationError(
                f"Jeux moissonnés introuvables : {', '.join(str(i) for i in sorted(missing)[:5])}."
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "Le dernier jour précède le premier jour.")
        box = [data.get(k) for k in ("south", "west", "north", "east")]
        if any(v is not None for v in box):
            if None in box:
                self.add_error("south", "Donnez les quatre limites de la zone, ou aucune.")
            else:
                south, west, north, east = (float(v) for v in box if v is not None)
                if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
                    self.add_error(
                        "south", "Zone impossible : il faut sud < nord (entre -90 et 90) et ouest < est."
                    )
        return data

    def save(self, commit: bool = True) -> Event:
        event: Event = super().save(commit=False)
        event.atd = self.atd
        event.commune = self.cleaned_data.get("commune_code")
        venue: Place | None = self.cleaned_data.get("venue")
        if venue is not None:
            if not event.place:
                event.place = ", ".join(filter(None, [venue.name, venue.address]))[:300]
            if event.commune is None:
                event.commune = venue.commune
        if event.pk:
            event.sequence += 1
        event.save()
        self.save_m2m()
        event.datasets.set(self.cleaned_data.get("dataset_ids") or [])
        return event


class ParticipantForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    consent = forms.BooleanField(
        label="La personne accepte que son nom figure dans la liste des participants",
        error_messages={"required": "Sans le consentement de la personne, son nom n'est pas enregistré."},
    )

    class Meta:
        model = Participant
        fields = ["name", "organisation"]


class OutputForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    url = forms.URLField(label="Adresse", max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Output
        fields = ["kind", "title", "url"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = OutputKind.choices
