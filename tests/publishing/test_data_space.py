"""The data space of a collectivité: import a messy spreadsheet, map, check, publish, see, download, go back."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from odl.publishing import services, versions
from odl.publishing.models import ColumnMemory, Dataset, DatasetVersion, VersionUnchangeable
from tests import personas
from tests.publishing.conftest import space
from tests.publishing.helpers import MESSY_HEADER, messy_row, messy_xlsx

pytestmark = pytest.mark.django_db


def _import(client: Client, dataset: Dataset, body: bytes, name: str = "subventions.xlsx") -> Any:
    response = client.post(space(dataset, "import/"), {"file": SimpleUploadedFile(name, body)})
    assert response.status_code == 302, response.content[:500]
    return response


def _map_and_check(client: Client, dataset: Dataset, mapping: list[str] | None = None) -> Any:
    draft = dataset.drafts.first()
    assert draft is not None
    chosen = draft.mapping if mapping is None else mapping
    data = {f"col{i}": value for i, value in enumerate(chosen)}
    return client.post(space(dataset, f"import/{draft.pk}/colonnes/"), data)


def _publish_messy(client: Client, dataset: Dataset, rows: list[list[str]]) -> DatasetVersion:
    _import(client, dataset, messy_xlsx(rows))
    response = _map_and_check(client, dataset)
    assert response.status_code == 302
    draft = dataset.drafts.first()
    assert draft is not None
    response = client.post(space(dataset, f"import/{draft.pk}/verification/"))
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.latest is not None
    return dataset.latest


def test_an_agent_imports_a_messy_workbook_maps_it_and_publishes_a_valid_version(
    etd_client: Client, dataset: Dataset
) -> None:
    _import(etd_client, dataset, messy_xlsx([messy_row(1), messy_row(2)]))
    draft = dataset.drafts.get()
    assert draft.header_line == 3
    page = etd_client.get(space(dataset, f"import/{draft.pk}/colonnes/")).content.decode()
    assert "en-tête trouvé à la ligne 3" in page
    assert "Pré-remplis avec les informations de la collectivité : nomAttribuant, idAttribuant" in page
    assert _map_and_check(etd_client, dataset).status_code == 302
    check = etd_client.get(space(dataset, f"import/{draft.pk}/verification/")).content.decode()
    # French dates and decimal commas are the engine's safe fixes, shown with the file's own lines.
    assert "Le fichier est valide" in check
    assert "12/03/2024" in check and "2024-03-12" in check
    assert "Commentaire interne" in check  # kept aside, and said so
    etd_client.post(space(dataset, f"import/{draft.pk}/verification/"))
    dataset.refresh_from_db()
    version = dataset.latest
    assert version is not None and version.number == 1 and version.rows == 2 and version.valid
    assert not version.by_atd
    table = versions.read_version(version)
    assert table.header == services.schema_of(dataset).field_names
    row = dict(zip(table.header, table.rows[0], strict=True))
    assert row["nomAttribuant"] == "Rennes" and row["idAttribuant"] == "21350238800019"
    assert row["dateConvention"] == "2024-03-12" and row["montant"] == "1500.50"
    draft.refresh_from_db()
    with draft.aside.open("rb") as handle:
        aside = handle.read().decode()
    assert aside.splitlines() == ["ligne_du_fichier,Commentaire interne", "4,à relancer 1", "5,à relancer 2"]


def test_the_mapping_is_remembered_for_the_next_import_of_the_collectivite(
    etd_client: Client, dataset: Dataset
) -> None:
    _import(etd_client, dataset, messy_xlsx([messy_row(1)]))
    draft = dataset.drafts.get()
    mapping = list(draft.mapping)
    mapping[MESSY_HEADER.index("Commentaire interne")] = "referenceDecision"
    _map_and_check(etd_client, dataset, mapping)
    assert ColumnMemory.objects.filter(field="referenceDecision").count() == 1
    _import(etd_client, dataset, messy_xlsx([messy_row(1)]))
    second = dataset.drafts.first()
    assert second is not None and second.pk != draft.pk
    assert second.mapping[MESSY_HEADER.index("Commentaire interne")] == "referenceDecision"


def test_two_columns_into_one_field_are_refused_and_nothing_is_checked(
    etd_client: Client, dataset: Dataset
) -> None:
    _import(etd_client, dataset, messy_xlsx([messy_row(1)]))
    draft = dataset.drafts.get()
    mapping = list(draft.mapping)
    mapping[MESSY_HEADER.index("Commentaire interne")] = "objet"
    response = _map_and_check(etd_client, dataset, mapping)
    assert response.status_code == 400
    assert "vont toutes dans le champ « objet »" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "mapping" and dataset.versions.count() == 0


def test_a_file_that_cannot_be_read_gets_a_french_message_and_no_draft(
    etd_client: Client, dataset: Dataset
) -> None:
    response = etd_client.post(
        space(dataset, "import/"),
        {"file": SimpleUploadedFile("liste.xlsx", b"PK\x03\x04 broken")},
        follow=True,
    )
    assert "Import impossible" in response.content.decode()
    assert dataset.drafts.count() == 0


def test_remaining_errors_need_an_explicit_choice_to_publish(etd_client: Client, dataset: Dataset) -> None:
    _import(etd_client, dataset, messy_xlsx([messy_row(1, amount="beaucoup")]))
    _map_and_check(etd_client, dataset)
    draft = dataset.drafts.get()
    check = etd_client.get(space(dataset, f"import/{draft.pk}/verification/")).content.decode()
    assert "1 erreur restante" in check
    etd_client.post(space(dataset, f"import/{draft.pk}/verification/"))
    assert dataset.versions.count() == 0
    etd_client.post(space(dataset, f"import/{draft.pk}/verification/"), {"accept_errors": "1"})
    version = dataset.versions.get()
    assert not version.valid and version.errors == 1


def test_a_new_version_says_what_changed_cell_by_cell_and_an_old_one_can_come_back(
    etd_client: Client, dataset: Dataset
) -> None:
    first = _publish_messy(etd_client, dataset, [messy_row(1), messy_row(2), messy_row(3)])
    changed = messy_row(2, amount="2000")
    other = ["01/01/2023", "Club", "38047555800058", "Tournoi", "300", "aide en nature", "En deux fois"]
    other += ["2023-02-01", "oui", "1", ""]
    second = _publish_messy(etd_client, dataset, [messy_row(1), changed, other])
    assert second.number == 2
    assert (second.diff["added"], second.diff["removed"], second.diff["changed"]) == (1, 1, 1)
    cells = second.diff["examples"]["changed"][0]["cells"]
    assert cells == [{"field": "montant", "old": "1500.50", "new": "2000"}]
    page = etd_client.get(space(dataset, "versions/2/")).content.decode()
    assert "1 ligne ajoutée, 1 supprimée, 1 modifiée" in page
    etd_client.post(space(dataset, "versions/1/republier/"))
    dataset.refresh_from_db()
    third = dataset.latest
    assert third is not None and third.number == 3 and third.restored_from == 1
    assert third.sha256 == first.sha256
    assert dataset.versions.count() == 3  # nothing was overwritten


def test_a_published_version_is_never_changed(etd_client: Client, dataset: Dataset) -> None:
    version = _publish_messy(etd_client, dataset, [messy_row(1)])
    version.rows = 99
    with pytest.raises(VersionUnchangeable):
        version.save()


def test_the_atd_publishing_for_the_commune_is_recorded_and_shown(dataset: Dataset) -> None:
    staff = personas.animateur()
    client = personas.logged_in(staff)
    version = _publish_messy(client, dataset, [messy_row(1)])
    assert version.by_atd
    assert "publié par l'ATD ATD Ille-et-Vilaine pour le compte de Rennes" in version.publisher_label()
    public = Client().get(f"/donnees/{dataset.pk}/").content.decode()
    assert "pour le compte de Rennes" in public


def test_the_space_lists_schema_validity_last_update_and_the_update_due(
    etd_client: Client, dataset: Dataset
) -> None:
    version = _publish_messy(etd_client, dataset, [messy_row(1)])
    page = etd_client.get(space(dataset).rsplit(f"{dataset.pk}/", 1)[0]).content.decode()
    assert "Subventions 2024" in page and "subventions 2.1.1" in page and "valide" in page
    due = timezone.localdate() + dt.timedelta(days=365)
    assert due.strftime("%d/%m/%Y") in page
    assert "Mise à jour attendue" not in page
    # A year and a day later, the space reminds the agent.
    DatasetVersion.objects.filter(pk=version.pk).update(created_at=timezone.now() - dt.timedelta(days=366))
    page = etd_client.get(space(dataset).rsplit(f"{dataset.pk}/", 1)[0]).content.decode()
    assert "Mise à jour attendue" in page and "(en retard)" in page


def test_another_atd_and_a_visitor_cannot_open_the_space(dataset: Dataset) -> None:
    other = personas.logged_in(personas.other_atd_staff())
    assert other.get(space(dataset)).status_code == 403
    assert Client().get(space(dataset)).status_code == 302


def test_the_public_page_and_stable_downloads(etd_client: Client, dataset: Dataset) -> None:
    formula = messy_row(2)
    formula[3] = '=HYPERLINK("http://x")'
    _publish_messy(etd_client, dataset, [messy_row(1), formula])
    page = Client().get(f"/donnees/{dataset.pk}/").content.decode()
    assert "Subventions 2024" in page and "Licence Ouverte" in page
    assert "Subventions 2.1.1 : " in page or "2.1.1" in page
    assert "Association 1" in page
    csv_body = Client().get(f"/donnees/{dataset.pk}/dernier.csv").content.decode()
    assert csv_body.startswith("nomAttribuant,idAttribuant,dateConvention")
    assert Client().get(f"/donnees/{dataset.pk}/v1.csv").content.decode() == csv_body
    records = json.loads(Client().get(f"/donnees/{dataset.pk}/dernier.json").content)
    assert records[0]["nomBeneficiaire"] == "Association 1"
    from python_calamine import CalamineWorkbook

    xlsx = Client().get(f"/donnees/{dataset.pk}/v1.xlsx").content
    cells = CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_index(0).to_python()
    assert cells[2][7] == '\'=HYPERLINK("http://x")'
    # No coordinates in subventions: no GeoJSON, and no unknown format.
    assert Client().get(f"/donnees/{dataset.pk}/dernier.geojson").status_code == 404
    assert Client().get(f"/donnees/{dataset.pk}/dernier.pdf").status_code == 404
    assert Client().get(f"/donnees/{dataset.pk}/v9.csv").status_code == 404


def test_a_private_or_unpublished_dataset_has_no_public_page(dataset: Dataset) -> None:
    assert Client().get(f"/donnees/{dataset.pk}/").status_code == 404
    Dataset.objects.filter(pk=dataset.pk).update(public=False)
    assert Client().get(f"/donnees/{dataset.pk}/dernier.csv").status_code == 404


def test_latest_csv_gives_other_apps_the_bytes_and_what_describes_them(
    etd_client: Client, dataset: Dataset
) -> None:
    assert services.latest_csv(dataset) is None
    version = _publish_messy(etd_client, dataset, [messy_row(1)])
    dataset.refresh_from_db()
    published = services.latest_csv(dataset)
    assert published is not None
    assert published.data.startswith(b"nomAttribuant,")
    assert (published.version, published.rows, published.sha256) == (1, 1, version.sha256)
    assert published.schema_name == "scdl/subventions" or published.schema_name
    assert published.frequency == "annual" and published.licence == "lov2"


def test_a_schema_with_coordinates_downloads_as_geojson(etd: Any) -> None:
    from odl.schemas.registry import known

    schema = known("equipements")
    dataset = Dataset.objects.create(etd=etd, schema_name="equipements", title="Équipements")
    header = schema.field_names
    row = dict.fromkeys(header, "")
    row.update({"COLL_NOM": "Rennes", "EQUIP_NOM": "Piscine", "EQUIP_LAT": "48.11", "EQUIP_LONG": "-1.68"})
    body = (",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n").encode()
    versions.publish(dataset, body, schema, by=None, valid=True)
    geo = json.loads(Client().get(f"/donnees/{dataset.pk}/dernier.geojson").content)
    feature = geo["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-1.68, 48.11]}
    assert feature["properties"]["EQUIP_NOM"] == "Piscine"
    assert "dernier.geojson" in Client().get(f"/donnees/{dataset.pk}/").content.decode()


def test_an_overdue_dataset_gets_one_reminder_per_version(
    etd_client: Client, dataset: Dataset, mailoutbox: list[Any]
) -> None:
    from django.core.management import call_command

    from odl.publishing.management.commands.publishing_reminders import Command

    version = _publish_messy(etd_client, dataset, [messy_row(1)])
    command = Command()
    assert command.handle_one().sent == 0
    later = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    assert command.handle_one(later).sent == 1
    assert mailoutbox[0].to == ["etienne@example.org"]
    assert "Mise à jour attendue : « Subventions 2024 » (Rennes)" == mailoutbox[0].subject
    assert dataset.space_url() in mailoutbox[0].body
    assert command.handle_one(later).sent == 0  # once per version
    call_command("publishing_reminders", "--date", later, stdout=io.StringIO())
    assert len(mailoutbox) == 1
    assert version.number == 1
