"""The grid: the latest version's rows, checked by the engine by row and column, saved as a new version
through the same publication as the import and the row form; the limits refused in French."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from odl.publishing import grid, services, versions
from odl.publishing.models import Dataset, DatasetVersion
from odl.schemas.registry import known
from tests.publishing.conftest import space

pytestmark = pytest.mark.django_db

FIELDS = known("subventions").field_names
GOOD = {
    "nomAttribuant": "Rennes",
    "idAttribuant": "21350238800019",
    "dateConvention": "2024-03-12",
    "nomBeneficiaire": "Association 1",
    "idBeneficiaire": "44088714900019",
    "objet": "Fête de quartier",
    "montant": "1500.50",
    "nature": "aide en numéraire",
    "conditionsVersement": "Versement unique",
    "datesPeriodeVersement": "2024-04-01",
    "notificationUE": "non",
    "pourcentageSubvention": "0.5",
}


def row(n: int, **changes: str) -> list[str]:
    values = {**GOOD, "nomBeneficiaire": f"Association {n}", "objet": f"Fête {n}", **changes}
    return [values.get(f, "") for f in FIELDS]


def publish(dataset: Dataset, count: int) -> DatasetVersion:
    data = services.to_plain_csv(FIELDS, [row(n) for n in range(1, count + 1)])
    return versions.publish(dataset, data, known("subventions"), by=None, valid=True)


def post(client: Client, dataset: Dataset, tail: str, body: dict[str, Any] | str) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(space(dataset, tail), text, content_type="application/json")


def test_the_page_opens_the_latest_rows_with_the_schema_columns(etd_client: Client, dataset: Dataset) -> None:
    publish(dataset, 3)
    response = etd_client.get(space(dataset, "grille/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "les 3 lignes de la version 1" in page
    assert "/static/vendor/tabulator/js/tabulator.min.js" in page and "odl/publishing-grid.js" in page
    assert "<script>" not in page  # data goes through json_script, code through static files
    rows = json.loads(page.split('id="grid-rows" type="application/json">')[1].split("</script>")[0])
    assert len(rows) == 3 and rows[1][FIELDS.index("nomBeneficiaire")] == "Association 2"
    config = json.loads(page.split('id="grid-config" type="application/json">')[1].split("</script>")[0])
    assert config["base"] == 1 and config["maxRows"] == grid.MAX_ROWS
    nature = next(f for f in config["fields"] if f["name"] == "nature")
    assert nature["required"] and "aide en numéraire" in nature["enum"]
    # The row form stays the accessible way, and the dataset page leads to the grid.
    assert "formulaire ligne par ligne" in page
    assert 'data-testid="grid-link"' in etd_client.get(space(dataset)).content.decode()


def test_an_empty_dataset_opens_with_the_collectivite_filled(etd_client: Client, dataset: Dataset) -> None:
    page = etd_client.get(space(dataset, "grille/")).content.decode()
    config = json.loads(page.split('id="grid-config" type="application/json">')[1].split("</script>")[0])
    assert config["base"] == 0 and config["defaults"]["idAttribuant"] == "21350238800019"


def test_the_check_names_the_row_and_column_of_each_error_in_french(
    etd_client: Client, dataset: Dataset
) -> None:
    publish(dataset, 2)
    rows = [row(1), row(2, montant="beaucoup"), [""] * len(FIELDS), row(4, dateConvention="12/03/2024")]
    answer = post(etd_client, dataset, "grille/verifier/", {"base": 1, "rows": rows}).json()
    assert answer["rows"] == 3 and answer["empty_rows"] == 1
    # The rows are the grid's positions (the empty row counted), the French date is a safe fix.
    assert [(e["row"], e["field"]) for e in answer["errors"]] == [(1, "montant")]
    assert "nombre" in answer["errors"][0]["message"].lower()
    assert answer["corrections_total"] >= 1 and not answer["valid"]
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 1  # a check publishes nothing


def test_saving_publishes_a_new_version_whose_diff_shows_the_edit(
    etd_client: Client, dataset: Dataset
) -> None:
    publish(dataset, 3)
    rows = [row(1), row(2, objet="Fête de la musique"), row(3), row(4)]
    response = post(etd_client, dataset, "grille/enregistrer/", {"base": 1, "rows": rows})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["published"] and answer["number"] == 2
    dataset.refresh_from_db()
    latest = dataset.latest
    assert latest is not None and latest.number == 2 and latest.rows == 4 and latest.valid
    assert latest.note == "modification dans la grille (4 lignes)"
    assert latest.diff["added"] == 1 and latest.diff["changed"] == 1
    assert latest.diff["examples"]["changed"][0]["cells"] == [
        {"field": "objet", "old": "Fête 2", "new": "Fête de la musique"}
    ]
    assert answer["url"].endswith("/versions/2/")
    assert "Fête de la musique" in etd_client.get(answer["url"]).content.decode()


def test_errors_block_the_save_unless_published_anyway(etd_client: Client, dataset: Dataset) -> None:
    publish(dataset, 1)
    rows = [row(1, montant="beaucoup")]
    response = post(etd_client, dataset, "grille/enregistrer/", {"base": 1, "rows": rows})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "montant"
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1
    response = post(
        etd_client, dataset, "grille/enregistrer/", {"base": 1, "rows": rows, "publish_anyway": True}
    )
    assert response.status_code == 200
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 2 and not dataset.latest.valid


def test_atd_staff_save_for_the_collectivite(atd_client: Client, dataset: Dataset) -> None:
    publish(dataset, 1)
    response = post(atd_client, dataset, "grille/enregistrer/", {"base": 1, "rows": [row(1), row(2)]})
    assert response.status_code == 200
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.by_atd
    assert "pour le compte de" in dataset.latest.publisher_label()


def test_a_version_published_meanwhile_is_never_overwritten(etd_client: Client, dataset: Dataset) -> None:
    publish(dataset, 1)
    publish(dataset, 2)  # someone else published version 2 after the grid opened version 1
    response = post(etd_client, dataset, "grille/enregistrer/", {"base": 1, "rows": [row(9)]})
    assert response.status_code == 409 and "rien n'a été enregistré" in response.json()["refused"]
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 2 and dataset.latest.rows == 2


def test_a_100000_row_paste_is_refused_in_french_and_nothing_changes(
    etd_client: Client, dataset: Dataset
) -> None:
    version = publish(dataset, 2)
    sha = version.sha256
    rows = [["x"] for _ in range(100_000)]
    for tail in ("grille/verifier/", "grille/enregistrer/"):
        response = post(etd_client, dataset, tail, {"base": 1, "rows": rows})
        assert response.status_code == 413
        message = response.json()["refused"]
        assert "au plus 20\u202f000 lignes" in message and "100\u202f000" in message and "importez" in message
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 1 and dataset.latest.sha256 == sha
    with dataset.latest.file.open("rb") as handle:
        assert versions.parse_csv(handle.read()).rows[1] == row(2)


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    etd_client: Client, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grid, "MAX_BODY_BYTES", 1000)
    response = post(etd_client, dataset, "grille/enregistrer/", {"base": 0, "rows": [row(1)] * 10})
    assert response.status_code == 413 and "Mo" in response.json()["refused"]
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("pas du json", "illisible"),
        ('{"base": 0}', "liste des lignes"),
        ('{"base": 0, "rows": [["a", {"b": 1}]]}', "pas du texte"),
        ('{"base": 0, "rows": [' + json.dumps(["x"] * 40) + "]}", "au plus 16 cellules"),
        ('{"base": 0, "rows": [[""]]}', "vide"),
    ],
)
def test_bad_tables_get_a_french_400(etd_client: Client, dataset: Dataset, body: str, expected: str) -> None:
    response = post(etd_client, dataset, "grille/enregistrer/", body)
    assert response.status_code == 400 and expected in response.json()["refused"]
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


def test_a_dataset_larger_than_the_grid_leads_to_the_import(
    etd_client: Client, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(dataset, 3)
    monkeypatch.setattr(grid, "MAX_ROWS", 2)
    page = etd_client.get(space(dataset, "grille/")).content.decode()
    assert 'data-testid="grid-too-big"' in page and 'id="grid-rows"' not in page


def test_saving_needs_the_csrf_token(etd_agent: Any, dataset: Dataset) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(etd_agent)
    response = post(client, dataset, "grille/enregistrer/", {"base": 0, "rows": [row(1)]})
    assert response.status_code == 403
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


def test_an_anonymous_visitor_cannot_open_the_grid(client: Client, dataset: Dataset) -> None:
    assert client.get(space(dataset, "grille/")).status_code in (302, 403)


def test_the_grid_page_runs_as_many_queries_for_3000_rows_as_for_3(
    etd_client: Client, dataset: Dataset, django_assert_max_num_queries: Any
) -> None:
    publish(dataset, 3)
    etd_client.get(space(dataset, "grille/"))  # warms the session and the schema's cache
    with django_assert_max_num_queries(12) as few:
        etd_client.get(space(dataset, "grille/"))
    publish(dataset, 3000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert etd_client.get(space(dataset, "grille/")).status_code == 200
