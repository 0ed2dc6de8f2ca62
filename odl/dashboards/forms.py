"""The builder's forms: a dashboard's texts, and a chart (its source, measure, breakdown, drawing, method)."""

from __future__ import annotations

from typing import Any

from django import forms

from odl.dashboards.models import Breakdown, Dashboard, Kind, Measure


class DashboardForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Dashboard
        fields = ["title", "device", "results", "public"]
        widgets = {
            "device": forms.Textarea(attrs={"rows": 4}),
            "results": forms.Textarea(attrs={"rows": 4}),
        }


def _column_field(label: str, columns: list[str], required: bool, help_text: str = "") -> forms.Field:
    if columns:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—")] + [(c, c) for c in columns],
            help_text=help_text,
        )
    return forms.CharField(label=label, required=required, max_length=200, help_text=help_text)


# The chart's own fields, in the form's order (the source comes first); a saved chart fills them back.
CHART_FIELDS = (
    "title",
    "measure",
    "value_column",
    "denominator_column",
    "breakdown_column",
    "breakdown",
    "kind",
    "y_min",
    "y_max",
    "second_axis",
    "method",
    "method_version",
    "method_column",
    "join_series",
)


class ChartForm(forms.Form):
    source = forms.ChoiceField(label="Jeu de données")
    title = forms.CharField(label="Titre du graphique", max_length=200)
    measure = forms.ChoiceField(label="Mesure", choices=Measure.choices)
    breakdown = forms.ChoiceField(label="Type de ventilation", choices=Breakdown.choices)
    kind = forms.ChoiceField(label="Type de graphique", choices=Kind.choices)
    y_min = forms.DecimalField(
        label="Début de l'axe vertical",
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text="vide : zéro, ou la plus petite valeur si elle est négative",
    )
    y_max = forms.DecimalField(
        label="Fin de l'axe vertical",
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text="vide : la plus grande valeur",
    )
    second_axis = forms.BooleanField(label="Second axe vertical", required=False)
    method = forms.CharField(
        label="Méthode",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="comment les chiffres sont produits : d'où viennent les lignes, ce qui est compté",
    )
    method_version = forms.CharField(label="Version de la méthode", max_length=40, initial="1")
    join_series = forms.BooleanField(
        label="Relier les points malgré un changement de méthode", required=False
    )

    def __init__(self, *args: Any, sources: list[tuple[str, str]], columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", "— choisir —"), *sources]
        self.fields["value_column"] = _column_field(
            "Colonne mesurée (ou numérateur d'un taux)",
            columns,
            False,
            "pour une somme, une moyenne ou un taux",
        )
        self.fields["denominator_column"] = _column_field("Colonne du dénominateur (taux)", columns, False)
        self.fields["breakdown_column"] = _column_field("Ventilation par la colonne", columns, True)
        self.fields["method_column"] = _column_field(
            "Colonne de la méthode (facultatif)",
            columns,
            False,
            "la colonne qui dit, ligne par ligne, la méthode de mesure : un changement coupe la série",
        )
        self.order_fields(["source", *CHART_FIELDS])
