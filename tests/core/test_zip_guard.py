"""Every door that reads a workbook refuses an archive that lies about its sizes (declared 1 KB,
inflating to megabytes): the central directory looks harmless, only inflating it tells the truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from odl.core.archives import ArchiveRefused, check_zip
from odl.core.spreadsheets import UnreadableFile, read_table
from odl.harvest.models import Publisher
from odl.observatory.models import Snapshot
from odl.schemas.models import ValidationRun
from odl.territories.models import Territory
from tests.zipbombs import lying_workbook_bomb

MESSAGE = "bombe de décompression"


def test_the_guard_inflates_and_refuses_a_member_bigger_than_it_says() -> None:
    with pytest.raises(ArchiveRefused, match="annonce 1 Ko"):
        check_zip(lying_workbook_bomb(), what="Le classeur", max_uncompressed=1 << 30, max_ratio=200)


def test_the_shared_reader_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(lying_workbook_bomb())
    with pytest.raises(UnreadableFile, match=MESSAGE):
        read_table(path)


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["import_agents", "import_sirens", "import_mapping"])
def test_cli_imports_refuse_it_and_change_nothing(
    small_referentiel: Path, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(lying_workbook_bomb())
    before = list(Territory.objects.order_by("pk").values_list("siren", "agents"))
    with pytest.raises(CommandError, match=MESSAGE) as info:
        call_command(command, str(path))
    assert info.value.returncode == 2
    assert list(Territory.objects.order_by("pk").values_list("siren", "agents")) == before


@pytest.mark.django_db
def test_import_observatoire_refuses_it(small_referentiel: Path, tmp_path: Path) -> None:
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(lying_workbook_bomb())
    with pytest.raises(CommandError, match=MESSAGE):
        call_command("import_observatoire", str(path), "--edition", "2021")
    assert not Snapshot.objects.exists()


@pytest.mark.django_db
def test_the_mapping_upload_refuses_it(atd_client: Client) -> None:
    before = list(Publisher.objects.values_list("pk", "match_status"))
    page = atd_client.post(
        "/observatoire/moissonnage/editeurs/import/",
        {"file": SimpleUploadedFile("corr.xlsx", lying_workbook_bomb(), "application/octet-stream")},
    ).content.decode()
    assert MESSAGE in page
    assert list(Publisher.objects.values_list("pk", "match_status")) == before


@pytest.mark.django_db
def test_the_validator_doors_refuse_it(client: Client, tmp_path: Path, settings: object) -> None:
    settings.DATA_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    page = client.post(
        "/validation/", {"file": SimpleUploadedFile("b.xlsx", lying_workbook_bomb()), "schema": "subventions"}
    )
    assert page.status_code == 400 and MESSAGE in page.content.decode()
    api = client.post(
        "/api/validate",
        {"file": SimpleUploadedFile("b.xlsx", lying_workbook_bomb()), "schema": "subventions"},
    )
    assert api.status_code == 400 and MESSAGE in api.json()["detail"]
    path = tmp_path / "b.xlsx"
    path.write_bytes(lying_workbook_bomb())
    with pytest.raises(CommandError, match=MESSAGE):
        call_command("validate", str(path), "--schema", "subventions")
    assert not ValidationRun.objects.exists()
