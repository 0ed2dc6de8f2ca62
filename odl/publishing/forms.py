"""Forms of the data space: a dataset's description, the import's file, and one row's form generated
from the Table Schema (one widget per type and format).

The row form catches what a person types wrong on the spot (a number, a date, a SIRET's checksum, a code
INSEE unknown to the référentiel); the engine then checks the whole table, as for an import.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.urls import reverse

from odl.core.identifiers import siret_problem
from odl.publishing.importing import key
from odl.publishing.models import Dataset
from odl.publishing.services import coordinates
from odl.schemas.registry import Schema, embedded
from odl.territories.models import Territory


class DatasetForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    schema_name = forms.ChoiceField(label="Schéma SCDL")

    class Meta:
        model = Dataset
        fields = ["title", "schema_name", "description", "licence", "frequency", "siret", "public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(name, own["titre"]) for name, own in embedded().items()]
        self.fields["schema_name"].choices = choices  # type: ignore[attr-defined]
        if self.instance.pk:
            # The schema is the dataset's identity: another schema is another dataset.
            self.fields["schema_name"].disabled = True

    def clean_siret(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data.get("siret") or "")
        if value:
            problem = siret_problem(value)
            if problem:
                raise forms.ValidationError(problem[0].upper() + problem[1:] + ".")
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV, XLSX ou ODS")


def _siret_fields(schema: Schema) -> set[str]:
    names = {
        str(c.get("params", {}).get("column"))
        for c in schema.table_schema.get("custom_checks", [])
        if c.get("name") == "french-siret-value"
    }
    return names | {f for f in schema.field_names if "siret" in key(f)}


def _insee_fields(schema: Schema) -> set[str]:
    return {f for f in schema.field_names if "insee" in key(f)}


def _number(value: str) -> str:
    text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        Decimal(text)
    except InvalidOperation as exc:
        raise forms.ValidationError(
            f"« {value} » n'est pas un nombre (exemple : 1234,56 ou 1234.56)."
        ) from exc
    return text


def _date(value: str) -> str:
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise forms.ValidationError(f"« {value} » n'est pas une date (exemple : 27/06/2025).")


def _geopoint(value: str, fmt: str) -> str:
    """« lon, lat » (« [lon,lat] » for the array format); the object format is left to the engine."""
    if fmt not in ("default", "array"):
        return value.strip()
    parts = [p.strip() for p in value.strip().strip("[]").split(",")]
    try:
        lon, lat = (float(Decimal(p)) for p in parts) if len(parts) == 2 else (None, None)
    except (InvalidOperation, ValueError):
        lon = lat = None
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        example = "[2.357,48.853]" if fmt == "array" else "2.357, 48.853"
        raise forms.ValidationError(
            f"« {value} » n'est pas un point : longitude puis latitude en degrés décimaux, séparées par une "
            f"virgule et avec un point décimal (exemple : {example})."
        )
    return f"{parts[0]}, {parts[1]}" if fmt == "default" else f"[{parts[0]},{parts[1]}]"


class RowForm(forms.Form):
    """One field per schema column, in the schema's order; cleaned values are the CSV's text."""

    def __init__(self, schema: Schema, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.siret_fields = _siret_fields(schema)
        self.insee_fields = _insee_fields(schema)
        self.kinds: dict[str, str] = {}
        self.formats: dict[str, str] = {}
        for spec in schema.table_schema.get("fields", []):
            name = spec["name"]
            self.fields[name] = self._field(spec)
            self.kinds[name] = spec.get("type", "string")
            self.formats[name] = spec.get("format", "default")
        self.coordinates = coordinates(schema)
        self._enhance()

    def _enhance(self) -> None:
        """Hooks for the page's scripts: the communes' autocomplete and the point picked on a map.

        Without JavaScript the fields stay plain text inputs that the server checks.
        """
        suggest = reverse("territories:communes_suggest")
        for name in self.insee_fields:
            field = self.fields[name]
            field.widget.attrs.update(
                {"data-commune-suggest": suggest, "autocomplete": "off", "spellcheck": "false"}
            )
            field.help_text += " ; tapez le nom de la commune ou son code, puis choisissez-la dans la liste"
        if isinstance(self.coordinates, str):
            field = self.fields[self.coordinates]
            example = "[2.357,48.853]" if self.formats.get(self.coordinates) == "array" else "2.357, 48.853"
            field.help_text += (
                f" ; longitude puis latitude en degrés décimaux ({example}), ou un clic sur la carte"
            )
            field.widget.attrs["data-map-point"] = self.formats.get(self.coordinates, "default")
        elif self.coordinates is not None:
            for role, name in zip(("lat", "lon"), self.coordinates, strict=True):
                self.fields[name].help_text += " ; degrés décimaux, ou un clic sur la carte"
                self.fields[name].widget.attrs["data-map-" + role] = "1"

    @property
    def map_after(self) -> str:
        """The field after which the map is shown (the last coordinate field), or ""."""
        if self.coordinates is None:
            return ""
        if isinstance(self.coordinates, str):
            return self.coordinates
        return max(self.coordinates, key=self.schema.field_names.index)

    def _field(self, spec: dict[str, Any]) -> forms.Field:
        name = spec["name"]
        constraints = spec.get("constraints", {})
        required = bool(constraints.get("required"))
        label = self.schema.labels.get(name) or name
        help_text = f"colonne {name}"
        example = self.schema.examples.get(name)
        if example:
            help_text += f" ; exemple : {example}"
        common: dict[str, Any] = {"label": label, "required": required, "help_text": help_text}
        kind = spec.get("type", "string")
        if constraints.get("enum"):
            choices = [("", "—")] + [(str(v), str(v)) for v in constraints["enum"]]
            return forms.ChoiceField(choices=choices, **common)
        if kind == "boolean":
            true = (spec.get("trueValues") or ["true"])[0]
            false = (spec.get("falseValues") or ["false"])[0]
            return forms.ChoiceField(choices=[("", "—"), (true, "oui"), (false, "non")], **common)
        if kind == "date":
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if kind == "datetime":
            return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
        if kind in ("integer", "year"):
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
        if kind == "number":
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
        if kind == "array":
            common["help_text"] += " ; plusieurs valeurs séparées par des virgules"
            return forms.CharField(**common)
        fmt = spec.get("format")
        if fmt == "email":
            return forms.CharField(widget=forms.EmailInput(), **common)
        if fmt == "uri":
            return forms.CharField(widget=forms.URLInput(), **common)
        if constraints.get("maxLength"):
            common["max_length"] = int(constraints["maxLength"])
        return forms.CharField(**common)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, kind in self.kinds.items():
            value = str(cleaned.get(name) or "").strip()
            if not value:
                cleaned[name] = ""
                continue
            try:
                if kind == "number":
                    value = _number(value)
                elif kind in ("integer", "year"):
                    if not re.fullmatch(r"-?\d+", value.replace(" ", "")):
                        raise forms.ValidationError(f"« {value} » n'est pas un nombre entier.")
                    value = value.replace(" ", "")
                elif kind == "date":
                    value = _date(value)
                elif kind == "datetime" and len(value) == 16:
                    value += ":00"
                elif kind == "geopoint":
                    value = _geopoint(value, self.formats.get(name, "default"))
                if name in self.siret_fields:
                    value = re.sub(r"\s", "", value)
                    problem = siret_problem(value)
                    if problem:
                        raise forms.ValidationError(problem[0].upper() + problem[1:] + ".")
                if (
                    name in self.insee_fields
                    and not Territory.objects.filter(kind="commune", code=value).exists()
                ):
                    raise forms.ValidationError(
                        f"Le code INSEE « {value} » n'est pas une commune du référentiel."
                    )
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                continue
            cleaned[name] = value
        return cleaned

    def row(self) -> list[str]:
        return [str(self.cleaned_data.get(name, "")) for name in self.schema.field_names]
