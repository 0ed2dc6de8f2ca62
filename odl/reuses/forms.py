"""Forms of the reuses and of the national observatories; every message is French and names its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.utils import timezone

from odl.animations.models import Event
from odl.atds.models import Atd
from odl.harvest.models import HarvestedDataset
from odl.reuses import images
from odl.reuses.models import NationalObservatory, Origin, Reuse
from odl.territories.models import Kind, Territory


def parse_ids(raw: str) -> set[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    wrong = [part for part in parts if not part.isdigit()]
    if wrong:
        raise forms.ValidationError(f"Identifiants illisibles : {', '.join(wrong[:5])}.")
    return {int(part) for part in parts}


def territories_from_codes(raw: str) -> list[Territory]:
    """Codes INSEE of communes, SIREN of EPCI, « D35 » for a département, « R53 » for a région."""
    found: list[Territory] = []
    unknown: list[str] = []
    for code in [part.strip().upper() for part in raw.replace(";", ",").split(",") if part.strip()]:
        if code[:1] in ("D", "R") and len(code) <= 4:
            kind, value = (Kind.DEPARTEMENT if code[0] == "D" else Kind.REGION), code[1:]
        elif len(code) == 9 and code.isdigit():
            kind, value = Kind.EPCI, code
        else:
            kind, value = Kind.COMMUNE, code
        territory = Territory.objects.filter(kind=kind, code=value).first()
        if territory is None:
            unknown.append(code)
        else:
            found.append(territory)
    if unknown:
        raise forms.ValidationError(
            f"Collectivités introuvables dans le référentiel : {', '.join(unknown[:5])} "
            "(code INSEE d'une commune, SIREN d'un EPCI, D35 pour un département, R53 pour une région)."
        )
    return found


class ReuseForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    image_file = forms.FileField(
        label="Image",
        required=False,
        help_text="PNG, JPEG, GIF ou WebP ; 2 Mo au plus (laisser vide pour garder l'image actuelle)",
    )
    dataset_ids = forms.CharField(
        label="Jeux de données moissonnés utilisés (identifiants)",
        required=False,
        help_text="les numéros des jeux moissonnés, séparés par des virgules",
    )
    territory_codes = forms.CharField(
        label="Collectivités concernées",
        required=False,
        help_text="codes INSEE des communes, SIREN des EPCI, D35 pour un département, R53 pour une région",
    )
    archived = forms.BooleanField(label="Archivée (la réutilisation n'existe plus)", required=False)

    class Meta:
        model = Reuse
        fields = ["title", "kind", "url", "author", "theme", "description", "event"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "url": forms.URLInput}

    def __init__(self, *args: Any, atd: Atd, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.atd = atd
        event = self.fields["event"]
        assert isinstance(event, forms.ModelChoiceField)
        event.queryset = Event.objects.of_atd(atd).order_by("-starts_on")
        event.required = False
        if self.instance.pk:
            self.initial["dataset_ids"] = ", ".join(
                str(pk) for pk in self.instance.datasets.values_list("pk", flat=True)
            )
            codes = []
            for t in self.instance.territories.all():
                prefix = {Kind.DEPARTEMENT: "D", Kind.REGION: "R"}.get(t.kind, "")
                codes.append(prefix + t.code)
            self.initial["territory_codes"] = ", ".join(codes)
            self.initial["archived"] = self.instance.archived_at is not None
        self.checked_image: tuple[bytes, images.CheckedImage] | None = None

    def clean_image_file(self) -> Any:
        upload = self.cleaned_data.get("image_file")
        if not upload:
            return None
        limit = images.max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                f"Image trop volumineuse : {upload.size / 1e6:.1f} Mo pour {limit / 1e6:.1f} Mo au plus.".replace(
                    ".", ","
                )
            )
        data = upload.read()
        try:
            self.checked_image = (data, images.check(data))
        except images.ImageProblem as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def clean_dataset_ids(self) -> list[HarvestedDataset]:
        ids = parse_ids(self.cleaned_data["dataset_ids"])
        found = list(HarvestedDataset.objects.filter(pk__in=ids))
        missing = ids - {d.pk for d in found}
        if missing:
            raise forms.ValidationError(
                f"Jeux moissonnés introuvables : {', '.join(str(i) for i in sorted(missing)[:5])}."
            )
        return found

    def clean_territory_codes(self) -> list[Territory]:
        return territories_from_codes(self.cleaned_data["territory_codes"])

    def save_for(self, user: Any) -> Reuse:
        reuse: Reuse = super().save(commit=False)
        now = timezone.now()
        if reuse.pk is None:
            reuse.atd = self.atd
            reuse.origin = Origin.MANUAL
        elif reuse.origin == Origin.DATAGOUV:
            # A correction by hand: the next harvest keeps these fields as the team left them.
            reuse.corrected_at = now
            reuse.corrected_by = user if getattr(user, "is_authenticated", False) else None
        archived = self.cleaned_data.get("archived")
        if archived and reuse.archived_at is None:
            reuse.archived_at = now
        elif not archived:
            reuse.archived_at = None
        reuse.save()
        if self.checked_image is not None:
            data, checked = self.checked_image
            if reuse.image:
                reuse.image.delete(save=False)
            reuse.image.save(f"{reuse.pk}.{checked.extension}", ContentFile(data), save=False)
            reuse.image_type = checked.content_type
            reuse.image_source = ""
            reuse.save(update_fields=["image", "image_type", "image_source"])
        reuse.datasets.set(self.cleaned_data.get("dataset_ids") or [])
        reuse.territories.set(self.cleaned_data.get("territory_codes") or [])
        return reuse


class ObservatoryForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = NationalObservatory
        fields = ["name", "theme", "url", "description", "scope", "position", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "url": forms.URLInput}
