"""The form that creates and edits an ATD: structure and perimeter typed as codes, SIREN or names."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import transaction

from odl.atds.models import Atd, AtdKind
from odl.core.identifiers import clean_number, siren_problem
from odl.core.text import fold
from odl.territories.models import COLLECTIVITE_KINDS, Kind, Perimeter, Territory
from odl.territories.targeting import CriteriaError

_SEPARATORS = re.compile(r"[,;\n]+")
# Stored on the ATD as typed (the structure and the perimeter are resolved first).
PLAIN_FIELDS = (
    "offer_animation",
    "offer_formation",
    "offer_outils",
    "offer_portail",
    "offer_text",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
)
AREA_FIELDS = (
    ("regions", Kind.REGION, "Région"),
    ("departements", Kind.DEPARTEMENT, "Département"),
    ("epcis", Kind.EPCI, "EPCI"),
)


def split_tokens(text: str) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def find_territory(kind: str, token: str) -> Territory | None:
    """One territory of this kind by code, SIREN or exact name (accents and case ignored)."""
    qs = Territory.objects.filter(kind=kind, active=True)
    digits = clean_number(token)
    found = qs.filter(code=token.upper()).first() or (digits and qs.filter(siren=digits).first())
    if found:
        return found
    if kind == Kind.EPCI and digits.isdigit():
        return qs.filter(code=digits).first()
    folded = fold(token)
    if not folded:
        return None
    named = [t for t in qs.filter(search_text__contains=folded) if fold(t.nom) == folded]
    return named[0] if len(named) == 1 else None


def area_field(label: str, help_text: str) -> forms.CharField:
    """A part of the perimeter typed as a list (one a line, or separated by commas)."""
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text
    )


class AtdForm(forms.Form):
    name = forms.CharField(label="Nom de l'ATD", max_length=200)
    kind = forms.ChoiceField(label="Type de structure", choices=AtdKind.choices)
    structure = forms.CharField(
        label="Structure porteuse",
        max_length=200,
        help_text="Code INSEE ou code COG, ou SIREN (9 chiffres) de la collectivité ou de l'organisme qui "
        "porte l'ATD (syndicat, association…).",
    )
    regions = area_field("Régions du périmètre", "Codes (ex. 53) ou noms, séparés par des virgules.")
    departements = area_field("Départements du périmètre", "Codes (ex. 35, 2A) ou noms.")
    epcis = area_field("Intercommunalités (EPCI) du périmètre", "SIREN (9 chiffres) ou noms exacts.")
    perimeter = forms.ModelChoiceField(
        label="Reprendre un périmètre enregistré",
        queryset=Perimeter.objects.none(),
        required=False,
        empty_label="(aucun)",
        help_text="Ses régions, départements et EPCI s'ajoutent à ceux saisis ci-dessus.",
    )
    offer_animation = forms.BooleanField(label="Animation", required=False)
    offer_formation = forms.BooleanField(label="Formation", required=False)
    offer_outils = forms.BooleanField(label="Outils", required=False)
    offer_portail = forms.BooleanField(label="Portail mutualisé", required=False)
    offer_text = forms.CharField(
        label="Précisions sur l'offre", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_name = forms.CharField(label="Contact (nom de l'équipe ou de la personne)", required=False)
    contact_email = forms.EmailField(label="Courriel de contact", required=False)
    contact_phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    website = forms.URLField(label="Site web", required=False, assume_scheme="https")

    def __init__(self, *args: Any, user: Any = None, atd: Atd | None = None, **kwargs: Any) -> None:
        self.atd = atd
        if atd is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(atd)
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            perimeters = Perimeter.objects.filter(owner=user)
            self.fields["perimeter"].queryset = perimeters  # type: ignore[attr-defined]
        self.areas: list[Territory] = []
        self.structure_territory: Territory | None = None
        self.structure_siren = ""

    def clean_structure(self) -> str:
        value: str = self.cleaned_data["structure"].strip()
        digits = clean_number(value)
        qs = Territory.objects.filter(kind__in=COLLECTIVITE_KINDS, active=True)
        # "53" is both Mayenne and Bretagne: the kind chosen above settles it.
        candidates = sorted(
            qs.filter(code=value.upper()), key=lambda t: t.kind != self.cleaned_data.get("kind")
        )
        territory = candidates[0] if candidates else None
        if territory is None and len(digits) == 9:
            territory = qs.filter(siren=digits).first()
        if territory is not None:
            self.structure_territory = territory
            return value
        if digits.isdigit() and len(digits) == 9:
            problem = siren_problem(digits)
            if problem:
                raise forms.ValidationError(f"Structure : {problem}.")
            self.structure_siren = digits
            return value
        if digits.isdigit() and len(digits) > 9:
            raise forms.ValidationError(
                f"Structure : « {value} » compte {len(digits)} chiffres ; un SIREN en compte 9 "
                "(un SIRET, 14, commence par le SIREN)."
            )
        raise forms.ValidationError(
            f"Structure : « {value} » n'est ni un code de collectivité du référentiel ni un SIREN."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[int, Territory] = {}
        for name, kind, label in AREA_FIELDS:
            unknown = []
            for token in split_tokens(data.get(name, "")):
                territory = find_territory(kind, token)
                if territory is None:
                    unknown.append(token)
                else:
                    chosen[territory.pk] = territory
            if unknown:
                self.add_error(
                    name, f"{label} introuvable : {', '.join(f'« {u} »' for u in unknown)}. {_HINTS[kind]}"
                )
        perimeter: Perimeter | None = data.get("perimeter")
        if perimeter is not None:
            try:
                criteria = perimeter.criteria()
            except CriteriaError as exc:
                self.add_error("perimeter", f"Le périmètre « {perimeter.name} » est inutilisable : {exc}")
            else:
                saved = (
                    Territory.objects.filter(kind=Kind.REGION, code__in=criteria.regions)
                    | Territory.objects.filter(kind=Kind.DEPARTEMENT, code__in=criteria.departements)
                    | Territory.objects.filter(kind=Kind.EPCI, code__in=criteria.epcis)
                )
                found = list(saved)
                if not found:
                    self.add_error(
                        "perimeter",
                        f"Le périmètre « {perimeter.name} » ne nomme aucune région, aucun département ni "
                        "aucun EPCI : choisissez-en un autre ou saisissez le périmètre.",
                    )
                chosen.update({t.pk: t for t in found})
        if not chosen and not self.errors:
            raise forms.ValidationError(
                "Le périmètre est vide : indiquez au moins une région, un département ou un EPCI."
            )
        self.areas = sorted(chosen.values(), key=lambda t: (t.kind, t.code))
        return data

    @transaction.atomic
    def save(self) -> Atd:
        data = self.cleaned_data
        atd = self.atd or Atd()
        for name in ("name", "kind", *PLAIN_FIELDS):
            setattr(atd, name, data[name])
        atd.structure = self.structure_territory
        atd.structure_siren = self.structure_siren
        atd.save()
        atd.areas.set(self.areas)
        return atd


_HINTS = {
    Kind.REGION: "Les régions se désignent par leur code COG (ex. 53 pour la Bretagne) ou leur nom.",
    Kind.DEPARTEMENT: "Les départements se désignent par leur code (ex. 35, 2A, 974) ou leur nom.",
    Kind.EPCI: "Les EPCI se désignent par leur SIREN (9 chiffres) ou leur nom exact.",
}


def initial_of(atd: Atd) -> dict[str, Any]:
    areas = list(atd.areas.all())
    initial: dict[str, Any] = {
        "name": atd.name,
        "kind": atd.kind,
        "structure": atd.structure.code if atd.structure else atd.structure_siren,
        **{name: ", ".join(t.code for t in areas if t.kind == kind) for name, kind, _ in AREA_FIELDS},
    }
    for name in PLAIN_FIELDS:
        initial[name] = getattr(atd, name)
    return initial
