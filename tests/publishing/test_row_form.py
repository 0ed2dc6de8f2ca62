"""The form generated from the Table Schema: one widget per type, French numbers, SIRET, code INSEE."""

from __future__ import annotations

import pytest
from django.test import Client

from odl.programme.models import Etd
from odl.publishing import versions
from odl.publishing.forms import RowForm
from odl.publishing.models import Dataset
from odl.schemas.registry import known
from tests.publishing.conftest import space

pytestmark = pytest.mark.django_db

GOOD = {
    "dateConvention": "2024-03-12",
    "nomBeneficiaire": "Association Bretonne",
    "idBeneficiaire": "44088714900019",
    "objet": "Fête",
    "montant": "1 500,50",
    "nature": "aide en numéraire",
    "conditionsVersement": "Versement unique",
    "datesPeriodeVersement": "2024-04-01",
    "notificationUE": "non",
    "pourcentageSubvention": "0,5",
}


def test_each_type_gets_its_widget_and_required_fields_are_marked(db: None) -> None:
    form = RowForm(known("subventions"))
    assert form.fields["dateConvention"].widget.input_type == "date"
    assert form.fields["montant"].widget.attrs["inputmode"] == "decimal"
    assert [c[0] for c in form.fields["nature"].choices][1] == "aide en numéraire"  # type: ignore[attr-defined]
    assert [c[0] for c in form.fields["notificationUE"].choices] == ["", "oui", "non"]  # type: ignore[attr-defined]
    assert form.fields["objet"].required and not form.fields["idRAE"].required


def test_the_form_opens_with_the_collectivite_fields_filled(etd_client: Client, dataset: Dataset) -> None:
    page = etd_client.get(space(dataset, "lignes/nouvelle/")).content.decode()
    assert 'value="Rennes"' in page and 'value="21350238800019"' in page
    assert "Identification SIRET du bénéficiaire" in page and " *" in page


def test_a_row_with_french_numbers_is_published_as_a_new_version(
    etd_client: Client, dataset: Dataset
) -> None:
    data = {**GOOD, "nomAttribuant": "Rennes", "idAttribuant": "21350238800019"}
    response = etd_client.post(space(dataset, "lignes/nouvelle/"), data)
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.valid and dataset.latest.rows == 1
    row = dict(
        zip(
            *[versions.read_version(dataset.latest).header, versions.read_version(dataset.latest).rows[0]],
            strict=True,
        )
    )
    assert row["montant"] == "1500.50" and row["pourcentageSubvention"] == "0.5"
    # Editing the row publishes version 2, whose diff names the cell.
    etd_client.post(space(dataset, "lignes/1/"), {**data, "objet": "Fête de quartier"})
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 2
    assert dataset.latest.diff["examples"]["changed"][0]["cells"] == [
        {"field": "objet", "old": "Fête", "new": "Fête de quartier"}
    ]


def test_an_invalid_siret_is_refused_in_french_and_nothing_is_published(
    etd_client: Client, dataset: Dataset
) -> None:
    data = {
        **GOOD,
        "nomAttribuant": "Rennes",
        "idAttribuant": "21350238800019",
        "idBeneficiaire": "44088714900018",
    }
    response = etd_client.post(space(dataset, "lignes/nouvelle/"), data)
    assert response.status_code == 400
    assert "clé de contrôle invalide" in response.content.decode()
    assert dataset.versions.count() == 0


def test_a_number_that_is_not_one_is_named(etd_client: Client, dataset: Dataset) -> None:
    data = {**GOOD, "nomAttribuant": "Rennes", "idAttribuant": "21350238800019", "montant": "mille"}
    response = etd_client.post(space(dataset, "lignes/nouvelle/"), data)
    assert "« mille » n&#x27;est pas un nombre" in response.content.decode()


def test_a_code_insee_must_be_a_commune_of_the_referentiel(etd_client: Client, etd: Etd) -> None:
    prenoms = Dataset.objects.create(etd=etd, schema_name="prenoms", title="Prénoms")
    form = RowForm(known("prenoms"), {"COLL_INSEE": "99999", "COMMUNE_NOM": "Rennes"})
    assert not form.is_valid()
    assert form.errors["COLL_INSEE"] == ["Le code INSEE « 99999 » n'est pas une commune du référentiel."]
    form = RowForm(known("prenoms"), {"COLL_INSEE": "35238"})
    form.is_valid()
    assert "COLL_INSEE" not in form.errors
    page = etd_client.get(space(prenoms, "lignes/nouvelle/")).content.decode()
    assert 'value="35238"' in page  # the commune's own code, pre-filled


def test_a_row_that_does_not_exist_is_a_404(etd_client: Client, dataset: Dataset) -> None:
    assert etd_client.get(space(dataset, "lignes/3/")).status_code == 404
