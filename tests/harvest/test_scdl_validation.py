"""After a harvest the platform's own validator checks SCDL resources; the observatory measures the share that validates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from harvest_replay import Replay, paged_datagouv

from odl.harvest.harvesters.items import HarvestedItem
from odl.harvest.harvesters.runner import run_source
from odl.harvest.harvesters.scdl import detect_schemas, normalise_schema_name, registry_identifiers
from odl.harvest.models import HarvestedDataset, HarvestSource
from odl.harvest.scdl_checks import resource_format, targets
from odl.observatory.models import SnapshotEntry

pytestmark = pytest.mark.django_db

VALID = "/fichiers/subventions-2024.csv"
INVALID = "/fichiers/subventions-2023.csv"
MISSING = "/fichiers/subventions-2022.csv"
SUBVENTIONS = {"name": "scdl/subventions"}


@pytest.fixture
def subventions(shared_data: Path) -> Path:
    return shared_data / "scdl" / "subventions"


def rennes_dataset(
    replay: Replay, resources: list[dict[str, Any]], modified: str = "2024-06-01"
) -> dict[str, Any]:
    return {
        "id": "rennes-subventions",
        "title": "Subventions accordées par la Ville de Rennes",
        "page": "https://www.data.gouv.fr/fr/datasets/subventions-rennes/",
        "organization": {"id": "org-rennes", "name": "Ville de Rennes", "business_number_id": "213502388"},
        "created_at": "2024-01-15T10:00:00",
        "last_update": f"{modified}T10:00:00",
        "tags": ["subventions"],
        "resources": resources,
    }


def resource(
    replay: Replay, path: str, title: str, fmt: str = "csv", schema: Any = SUBVENTIONS
) -> dict[str, Any]:
    return {"id": title, "title": title, "url": replay.url(path), "format": fmt, "schema": schema}


@pytest.fixture
def source(replay: Replay, subventions: Path, small_referentiel: Path) -> HarvestSource:
    """Rennes publishes a valid file, an invalid one, a vanished one and a PDF notice under scdl/subventions."""
    replay.raw(VALID, (subventions / "exemple_valide.csv").read_bytes(), "text/csv")
    replay.raw(INVALID, (subventions / "exemple_invalide_erreurs_cellules.csv").read_bytes(), "text/csv")
    replay.raw("/fichiers/notice.pdf", b"%PDF-1.4 notice", "application/pdf")
    resources = [
        resource(replay, VALID, "Subventions 2024"),
        resource(replay, INVALID, "Subventions 2023"),
        resource(replay, MISSING, "Subventions 2022"),
        resource(replay, "/fichiers/notice.pdf", "Notice", fmt="pdf", schema=None),
    ]
    paged_datagouv(replay, [rennes_dataset(replay, resources)])
    return HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=replay.url())


def downloads(replay: Replay) -> dict[str, int]:
    return {path: replay.hits.get(path, 0) for path in (VALID, INVALID, MISSING, "/fichiers/notice.pdf")}


def rennes_entry() -> SnapshotEntry:
    return SnapshotEntry.objects.get(nom="Rennes")


def test_after_a_harvest_one_valid_resource_of_two_checked_is_measured_and_the_404_is_not_counted(
    replay: Replay, source: HarvestSource
) -> None:
    run = run_source(source)
    assert run.status == "success", run.message
    dataset = HarvestedDataset.objects.get(remote_id="rennes-subventions")
    assert dataset.schemas == ["scdl/subventions"]
    checks = {c["title"]: c for c in dataset.scdl_validation}
    assert set(checks) == {"Subventions 2024", "Subventions 2023", "Subventions 2022"}  # the PDF is no table
    assert (checks["Subventions 2024"]["valid"], checks["Subventions 2024"]["errors"]) == (True, 0)
    assert (
        checks["Subventions 2024"]["rows"] == 29 and checks["Subventions 2024"]["schema_version"] == "2.1.1"
    )
    assert checks["Subventions 2023"]["valid"] is False and checks["Subventions 2023"]["errors"] > 0
    missing = checks["Subventions 2022"]
    assert missing["valid"] is None and missing["reason"] == "la ressource est introuvable (code HTTP 404)"
    assert all(c["checked_at"] and c["url"].startswith(replay.base) for c in checks.values())

    entry = rennes_entry()
    assert (entry.scdl_resources, entry.scdl_checked, entry.scdl_valid) == (1, 2, 1)


def test_the_dashboard_and_the_collectivite_page_show_the_share_and_which_resources_validate(
    client: Any, replay: Replay, source: HarvestSource
) -> None:
    run_source(source)
    dashboard = client.get(reverse("observatory:dashboard"), {"departement": "35"}).content.decode()
    assert (
        "2 ressources contrôlées par le validateur de la plateforme, dont 1 valides (50,0\u202f%)"
        in dashboard
    )
    page = client.get(reverse("territories:detail", args=["commune", "35238"])).content.decode()
    assert "Ressources SCDL contrôlées par le validateur de la plateforme : 2, dont 1 valide." in page
    assert "Subventions 2024 : valide" in page
    invalid = next(c for c in HarvestedDataset.objects.get().scdl_validation if c["valid"] is False)
    assert f"Subventions 2023 : non valide ({invalid['errors']} erreurs)" in page
    assert "Subventions 2022 : non contrôlée (la ressource est introuvable (code HTTP 404))" in page
    (listed,) = client.get("/api/observatoire/jeux").json()["results"]
    assert [(c["title"], c["schema_id"], c["valid"]) for c in listed["scdl_validation"]] == [
        ("Subventions 2024", "scdl/subventions", True),
        ("Subventions 2023", "scdl/subventions", False),
        ("Subventions 2022", "scdl/subventions", None),
    ]


def test_a_reharvest_does_not_download_unchanged_resources_again(
    replay: Replay, source: HarvestSource
) -> None:
    run_source(source)
    assert downloads(replay) == {VALID: 1, INVALID: 1, MISSING: 1, "/fichiers/notice.pdf": 0}
    run = run_source(source)
    assert run.items_updated == 0
    assert downloads(replay) == {VALID: 1, INVALID: 1, MISSING: 1, "/fichiers/notice.pdf": 0}
    entry = SnapshotEntry.objects.get(nom="Rennes")  # one platform snapshot per day, retaken
    assert (entry.scdl_checked, entry.scdl_valid) == (2, 1)


def test_a_changed_dataset_is_checked_again(replay: Replay, source: HarvestSource, subventions: Path) -> None:
    run_source(source)
    # The invalid file was fixed and the dataset's date moved on.
    replay.raw(INVALID, (subventions / "exemple_valide.csv").read_bytes(), "text/csv")
    resources = [resource(replay, VALID, "Subventions 2024"), resource(replay, INVALID, "Subventions 2023")]
    paged_datagouv(replay, [rennes_dataset(replay, resources, modified="2024-07-01")])
    run_source(source)
    assert downloads(replay)[INVALID] == 2
    assert (rennes_entry().scdl_checked, rennes_entry().scdl_valid) == (2, 2)


def test_the_maximum_per_run_is_honoured_and_the_next_run_goes_on(
    replay: Replay, source: HarvestSource, settings: Any
) -> None:
    settings.ODL_SCDL_VALIDATE_MAX_PER_RUN = 1
    run_source(source)
    assert downloads(replay) == {VALID: 1, INVALID: 0, MISSING: 0, "/fichiers/notice.pdf": 0}
    dataset = HarvestedDataset.objects.get()
    assert [c["title"] for c in dataset.scdl_validation] == ["Subventions 2024"]
    assert dataset.scdl_checked_hash == ""  # not finished: the next run goes on
    assert (rennes_entry().scdl_checked, rennes_entry().scdl_valid) == (1, 1)
    run_source(source)
    run_source(source)
    assert downloads(replay) == {VALID: 1, INVALID: 1, MISSING: 1, "/fichiers/notice.pdf": 0}
    assert HarvestedDataset.objects.get().scdl_checked_hash == HarvestedDataset.objects.get().content_hash
    assert (rennes_entry().scdl_checked, rennes_entry().scdl_valid) == (2, 1)


def test_zero_disables_the_checks_and_the_share_stays_unmeasured(
    replay: Replay, source: HarvestSource, settings: Any
) -> None:
    settings.ODL_SCDL_VALIDATE_MAX_PER_RUN = 0
    run = run_source(source)
    assert run.status == "success"
    assert sum(downloads(replay).values()) == 0
    assert HarvestedDataset.objects.get().scdl_validation == []
    entry = rennes_entry()
    assert entry.is_open and (entry.scdl_checked, entry.scdl_valid) == (None, None)


def test_a_server_error_is_retried_on_the_next_run_and_never_fails_the_harvest(
    replay: Replay, source: HarvestSource, subventions: Path
) -> None:
    replay.raw(VALID, b"busy", "text/plain", status=503)
    run = run_source(source)
    assert run.status == "success"
    check = next(
        c for c in HarvestedDataset.objects.get().scdl_validation if c["title"] == "Subventions 2024"
    )
    assert check["valid"] is None and "code HTTP 503" in check["reason"] and check["final"] is False
    assert replay.hits[VALID] == 3  # the harvest's retries (ODL_HARVEST_RETRIES = 2)
    replay.raw(VALID, (subventions / "exemple_valide.csv").read_bytes(), "text/csv")
    run_source(source)
    assert replay.hits[VALID] == 4 and replay.hits[INVALID] == 1  # only what was not settled
    assert (rennes_entry().scdl_checked, rennes_entry().scdl_valid) == (2, 1)


def test_a_file_over_the_size_limit_or_unreadable_is_not_checked_with_a_reason(
    replay: Replay, source: HarvestSource, settings: Any
) -> None:
    settings.ODL_HARVEST_MAX_RESPONSE_BYTES = 4096
    replay.raw(INVALID, b"\x00\x01\x02 binary garbage", "text/csv")
    run_source(source)
    checks = {c["title"]: c for c in HarvestedDataset.objects.get().scdl_validation}
    assert checks["Subventions 2024"]["reason"] == "fichier trop volumineux (plus de 4 ko)"
    assert checks["Subventions 2023"]["reason"].startswith("fichier illisible : ")
    assert rennes_entry().scdl_valid is None


def test_which_resources_are_checked_against_which_schema() -> None:
    table = {"url": "https://example.org/a.csv", "format": ""}
    assert resource_format(table) == "csv"
    assert resource_format({"url": "https://example.org/a.xlsx", "format": "XLSX"}) == "xlsx"
    assert resource_format({"url": "https://example.org/a.json", "format": "json"}) == ""
    assert [(s, r) for _res, s, r in targets(["scdl/subventions"], [table])] == [("scdl/subventions", "")]
    several = list(targets(["scdl/budget", "scdl/subventions"], [table]))
    assert [(s, r) for _res, s, r in several] == [
        ("", "plusieurs schémas possibles pour ce jeu : la ressource ne dit pas le sien")
    ]
    declared_json = {
        "url": "https://example.org/irve.json",
        "format": "json",
        "schema": "etalab/schema-irve-statique",
    }
    assert [r for _res, _s, r in targets(["etalab/schema-irve-statique"], [declared_json])] == [
        "format « json » non contrôlé : CSV, XLSX ou ODS attendu"
    ]


def test_a_schema_the_validator_does_not_know_is_unknown_not_invalid(
    replay: Replay, subventions: Path, small_referentiel: Path
) -> None:
    replay.raw(VALID, (subventions / "exemple_valide.csv").read_bytes(), "text/csv")
    marches = resource(replay, VALID, "Marchés 2024", schema={"name": "139bercy/format-commande-publique"})
    paged_datagouv(replay, [rennes_dataset(replay, [marches])])
    run_source(HarvestSource.objects.create(name="dg", kind="datagouv", url=replay.url()))
    (check,) = HarvestedDataset.objects.get().scdl_validation
    assert check["valid"] is None
    assert (
        check["reason"]
        == "schéma « 139bercy/format-commande-publique » inconnu du validateur de la plateforme"
    )
    assert replay.hits.get(VALID, 0) == 0
    assert rennes_entry().scdl_valid is None


def test_detection_recognises_every_schema_the_registry_ships() -> None:
    identifiers = registry_identifiers()
    assert {"scdl/subventions", "etalab/schema-irve-statique", "etalab/schema-decp-dpa"} <= set(
        identifiers.values()
    )
    for identifier in identifiers.values():
        assert normalise_schema_name(identifier.upper()) == identifier
        assert (
            normalise_schema_name(f"https://schema.data.gouv.fr/{identifier}/latest/schema.json")
            == identifier
        )
        item = HarvestedItem(remote_id="1", title="Un jeu", declared_schemas=[identifier])
        assert detect_schemas(item) == [identifier]
    # Still conservative: a schema outside the SCDL is not counted.
    assert normalise_schema_name("etalab/schema-amenagements-cyclables") == ""


def test_resource_urls_pointing_at_internal_addresses_are_refused(
    replay: Replay, source: HarvestSource, settings: Any
) -> None:
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = False
    run = run_source(source)
    assert run.status == "success", run.message
    checks = HarvestedDataset.objects.get(remote_id="rennes-subventions").scdl_validation
    assert checks and all(c["valid"] is None for c in checks)
    assert all("adresse interne refusée" in c["reason"] for c in checks)
    assert downloads(replay)[VALID] == 0
