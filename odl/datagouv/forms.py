"""Forms of the data.gouv.fr pages; every message is in French and names the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms

LICENCES = [
    ("fr-lo", "Licence Ouverte / Open Licence (fr-lo)"),
    ("lov2", "Licence Ouverte 2.0 (lov2)"),
    ("odc-odbl", "Open Database License (odc-odbl)"),
    ("cc-by", "Creative Commons Attribution (cc-by)"),
]
FREQUENCIES = [
    ("unknown", "inconnue"),
    ("punctual", "ponctuelle"),
    ("daily", "quotidienne"),
    ("weekly", "hebdomadaire"),
    ("monthly", "mensuelle"),
    ("quarterly", "trimestrielle"),
    ("semiannual", "semestrielle"),
    ("annual", "annuelle"),
    ("irregular", "irrégulière"),
]
MAX_FILE_MB = 50


class KeyForm(forms.Form):
    api_key = forms.CharField(
        label="Clé d'API data.gouv.fr",
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="dans votre profil data.gouv.fr, Paramètres › Clé d'API ; elle est gardée chiffrée et jamais réaffichée",
    )

    def clean_api_key(self) -> str:
        key = str(self.cleaned_data["api_key"]).strip()
        if len(key) < 12 or any(ch.isspace() for ch in key):
            raise forms.ValidationError(
                "Cette clé ne ressemble pas à une clé d'API data.gouv.fr (trop courte ou avec des espaces)."
            )
        return key


class OrganizationForm(forms.Form):
    organization = forms.CharField(
        label="Identifiant, nom court ou adresse de l'organisation sur data.gouv.fr",
        max_length=300,
        help_text="par exemple https://www.data.gouv.fr/fr/organizations/ville-de-rennes/",
    )


class PushForm(forms.Form):
    local_id = forms.SlugField(
        label="Identifiant local du jeu de données",
        max_length=200,
        help_text="le même identifiant met à jour le même jeu de données sur data.gouv.fr",
    )
    title = forms.CharField(label="Titre", max_length=350)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 4}))
    license = forms.ChoiceField(label="Licence", choices=LICENCES, initial="fr-lo")
    frequency = forms.ChoiceField(label="Fréquence de mise à jour", choices=FREQUENCIES, initial="annual")
    schema_name = forms.CharField(
        label="Schéma", max_length=200, required=False, help_text="par exemple scdl/subventions"
    )
    schema_version = forms.CharField(label="Version du schéma", max_length=40, required=False)
    tags = forms.CharField(
        label="Mots-clés", max_length=500, required=False, help_text="séparés par des virgules"
    )
    file = forms.FileField(label="Fichier (CSV)")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_MB * 1024 * 1024:
            raise forms.ValidationError(f"Fichier trop gros : {MAX_FILE_MB} Mo au plus.")
        if upload.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        return upload

    def tag_list(self) -> list[str]:
        return [t.strip() for t in str(self.cleaned_data.get("tags") or "").split(",") if t.strip()]
