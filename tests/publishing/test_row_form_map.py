"""The row form's communes autocomplete and point map, and the public page's map or chart."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.test import Client

from odl.programme.models import Etd
from odl.publishing import versions, views
from odl.publishing.forms import RowForm
from odl.publishing.models import Dataset
from odl.schemas.registry import known
from tests.publishing.conftest import space
from tests.publishing.test_dcat import TABLE

pytestmark = pytest.mark.django_db

PARKING = {
    "id": "35238-P-001",
    "nom": "République",
    "insee": "35238",
    "type_usagers": "tous",
    "gratuit": "true",
    "nb_places": "325",
    "hauteur_max": "290",
    "num_siret": "21350238800019",
    "Xlong": "-1,6778",
    "Ylat": "48.1113",
}


def parking_csv(rows: list[dict[str, str]]) -> bytes:
    schema = known("stationnement")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(schema.field_names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in schema.field_names])
    return out.getvalue().encode()


def grants_csv() -> bytes:
    """Three grants, two of them « aide en numéraire » and one « aide en nature »."""
    header, row = TABLE.decode().splitlines()
    assert '"aide en numéraire"' in row
    second = row.replace('"aide en numéraire"', '"aide en nature"')
    return ("\n".join([header, row, row, second]) + "\n").encode()


@pytest.fixture
def parkings(etd: Etd) -> Dataset:
    dataset = Dataset.objects.create(etd=etd, schema_name="stationnement", title="Parkings", public=True)
    rows = [
        {**PARKING, "id": "35238-P-001", "nom": "<b>République</b>", "Xlong": "-1.6778", "Ylat": "48.1113"},
        {**PARKING, "id": "35238-P-002", "nom": "Gare", "Xlong": "-1.6725", "Ylat": "48.1035"},
        {**PARKING, "id": "35238-P-003", "nom": "Sans point", "Xlong": "", "Ylat": ""},
    ]
    versions.publish(dataset, parking_csv(rows), known("stationnement"), by=None, valid=True)
    return dataset


def _json(page: str, element: str) -> Any:
    match = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', page, re.S)
    assert match, element
    return json.loads(match.group(1))


def test_a_code_insee_field_is_hooked_to_the_communes_suggestions(db: None) -> None:
    form = RowForm(known("stationnement"))
    attrs = form.fields["insee"].widget.attrs
    assert attrs["data-commune-suggest"] == "/recherche/communes.json" and attrs["autocomplete"] == "off"
    assert "tapez le nom de la commune" in form.fields["insee"].help_text
    assert (
        form.fields["Ylat"].widget.attrs["data-map-lat"] and form.fields["Xlong"].widget.attrs["data-map-lon"]
    )
    assert form.map_after == "Ylat"
    # A schema without coordinates has no map.
    assert RowForm(known("subventions")).map_after == ""


def test_the_row_form_page_has_the_map_and_the_other_rows(etd_client: Client, parkings: Dataset) -> None:
    page = etd_client.get(space(parkings, "lignes/1/")).content.decode()
    assert 'id="row-map-block" hidden' in page  # shown by the script only: without it, the fields alone
    assert "odl/row-map.js" in page and "odl/commune-combobox.js" in page and "leaflet.js" in page
    config = _json(page, "row-map-config")
    assert config["others"] == [[48.1035, -1.6725]]  # the edited row (1) is not among the others
    assert config["contours"] == "/observatoire/carte/contours/communes/35.geojson"
    assert config["commune"] == "35238" and config["tiles"] == ""
    assert "<script>" not in page.split("row-map-config")[0].rsplit("</form>", 1)[-1]


def test_typed_coordinates_publish_the_row_with_a_decimal_point(
    etd_client: Client, parkings: Dataset
) -> None:
    response = etd_client.post(space(parkings, "lignes/nouvelle/"), {**PARKING, "id": "35238-P-004"})
    page = response.content.decode()
    assert response.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</div>", page, re.S)
    parkings.refresh_from_db()
    assert parkings.latest is not None
    table = versions.read_version(parkings.latest)
    row = dict(zip(table.header, table.rows[-1], strict=True))
    assert (row["Xlong"], row["Ylat"], row["insee"]) == ("-1.6778", "48.1113", "35238")


def test_without_javascript_an_unknown_code_insee_is_still_refused(
    etd_client: Client, parkings: Dataset
) -> None:
    response = etd_client.post(space(parkings, "lignes/nouvelle/"), {**PARKING, "insee": "35999"})
    assert response.status_code == 400
    assert "Le code INSEE « 35999 » n&#x27;est pas une commune du référentiel." in response.content.decode()


def test_a_geopoint_is_written_as_the_schema_s_format_or_refused_in_french(db: None) -> None:
    schema = known("irve-statique")
    form = RowForm(schema, {"coordonneesXY": "[ -1.6778 , 48.1113 ]", "code_insee_commune": "35238"})
    form.is_valid()
    assert "coordonneesXY" not in form.errors and form.cleaned_data["coordonneesXY"] == "[-1.6778,48.1113]"
    assert form.fields["coordonneesXY"].widget.attrs["data-map-point"] == "array"
    for bad in ("48,1113", "[-1.6778]", "[200, 48]", "nord"):
        form = RowForm(schema, {"coordonneesXY": bad})
        form.is_valid()
        assert "n'est pas un point" in form.errors["coordonneesXY"][0], bad


def test_the_public_page_maps_the_rows_with_coordinates_as_text(parkings: Dataset) -> None:
    page = Client().get(f"/donnees/{parkings.pk}/").content.decode()
    config = _json(page, "widget-map-config")
    assert [p[:2] for p in config["points"]] == [[48.1113, -1.6778], [48.1035, -1.6725]]
    assert config["points"][0][2] == "<b>République</b>"  # as text: the script puts it in textContent
    assert "<b>République</b>" not in page  # escaped everywhere in the HTML (json_script, the table)
    assert "2 lignes avec des coordonnées sur la carte" in page and 'data-testid="public-chart"' not in page
    assert "odl/widget-map.js" in page


def test_the_public_map_is_bounded_and_says_so(parkings: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "PUBLIC_MAP_POINTS", 1)
    page = Client().get(f"/donnees/{parkings.pk}/").content.decode()
    assert len(_json(page, "widget-map-config")["points"]) == 1
    assert (
        "La carte montre les 1 premières lignes qui ont des coordonnées : elle n'en montre pas plus de 1."
        in page
    )


def test_the_public_page_charts_the_amounts_by_a_category(etd: Etd) -> None:
    dataset = Dataset.objects.create(etd=etd, schema_name="subventions", title="Subventions", public=True)
    versions.publish(dataset, grants_csv(), known("subventions"), by=None, valid=True)
    page = Client().get(f"/donnees/{dataset.pk}/").content.decode()
    assert 'data-testid="public-chart"' in page and "widget-map-config" not in page
    assert "Somme de montant par nature" in page
    assert '<th scope="row">aide en numéraire</th>' in page and '<th scope="row">aide en nature</th>' in page
