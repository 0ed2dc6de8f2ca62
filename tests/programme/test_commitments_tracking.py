"""Commitments: met by the observatory itself, overdue after their date, a manual status kept."""

from __future__ import annotations

import datetime as dt
import html
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from odl.harvest.harvesters.runner import run_source
from odl.harvest.models import HarvestedDataset, HarvestSource, MatchStatus
from odl.programme.commitments import check_commitments, set_status
from odl.programme.models import Commitment, CommitmentKind, CommitmentStatus, EtdStep
from odl.territories.models import Territory
from tests.programme.conventions_helpers import dataset, publish, rennes_etd, yesterday

# The harvest tests' replay server: real payloads over real HTTP on loopback.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "harvest"))
from harvest_replay import Replay, paged_datagouv  # noqa: E402

from tests.harvest.conftest import replay as replay  # noqa: E402  (the fixture, re-exported here)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_and_fast_harvest(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ODL_HARVEST_BACKOFF = 0.01
    settings.ODL_HARVEST_TIMEOUT = 5.0
    settings.ODL_HARVEST_RETRIES = 2


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_a_harvest_bringing_the_communes_subventions_meets_its_commitment_with_the_link(
    replay: Replay,  # noqa: F811
    atd_agent: Any,
    atd_client: Client,
    shared_data: Path,
) -> None:
    etd = rennes_etd(step=EtdStep.CONVENTION_SIGNEE)
    subventions = publish(etd, "scdl/subventions")
    deliberations = publish(etd, "scdl/deliberations")
    csv = (shared_data / "scdl" / "subventions" / "exemple_valide.csv").read_bytes()
    replay.raw("/fichiers/subventions.csv", csv, "text/csv")
    paged_datagouv(
        replay,
        [
            {
                "id": "rennes-subventions",
                "title": "Subventions accordées par la Ville de Rennes",
                "page": "https://www.data.gouv.fr/fr/datasets/subventions-rennes/",
                "organization": {
                    "id": "org-rennes",
                    "name": "Ville de Rennes",
                    "business_number_id": "213502388",
                },
                "created_at": "2024-01-15T10:00:00",
                "last_update": "2024-06-01T10:00:00",
                "resources": [
                    {
                        "id": "r1",
                        "title": "Subventions 2024",
                        "url": replay.url("/fichiers/subventions.csv"),
                        "format": "csv",
                        "schema": {"name": "scdl/subventions"},
                    }
                ],
            }
        ],
    )
    source = HarvestSource.objects.create(name="data.gouv.fr", kind="datagouv", url=replay.url())
    run = run_source(source)
    assert run.status == "success", run.message

    subventions.refresh_from_db()
    found = HarvestedDataset.objects.get(remote_id="rennes-subventions")
    assert subventions.status == CommitmentStatus.TENU and subventions.status_set_by == "auto"
    assert subventions.evidence_dataset == found
    # The day in France: between midnight in Paris and midnight UTC, the UTC date is the day before.
    assert subventions.met_at == timezone.localdate(found.first_seen)
    deliberations.refresh_from_db()
    assert deliberations.status == CommitmentStatus.A_FAIRE
    etd.refresh_from_db()
    assert etd.step == EtdStep.PUBLIEE
    change = etd.history.get(step=EtdStep.PUBLIEE)
    assert change.by is None and change.note.startswith("premier jeu SCDL publié : Subventions accordées")

    page = text_of(atd_client.get(reverse("programme:commitments", args=[etd.atd.slug, etd.pk])))
    assert 'href="https://www.data.gouv.fr/fr/datasets/subventions-rennes/"' in page
    assert "Jeu publié : Subventions accordées par la Ville de Rennes" in page


def test_a_dataset_that_validates_against_the_schema_counts_even_undeclared(atd_agent: Any) -> None:
    etd = rennes_etd()
    commitment = publish(etd)
    dataset(
        etd.territory,
        validation=[{"schema": "scdl/subventions", "valid": False, "url": "a"}],
        remote_id="bad",
    )
    assert check_commitments().met == 0
    dataset(
        etd.territory,
        validation=[{"schema": "scdl/subventions", "valid": True, "url": "b"}],
        remote_id="good",
    )
    assert check_commitments().met == 1
    commitment.refresh_from_db()
    assert commitment.evidence_dataset == HarvestedDataset.objects.get(remote_id="good")


def test_datasets_of_another_collectivite_or_of_an_unconfirmed_publisher_do_not_count(atd_agent: Any) -> None:
    etd = rennes_etd()
    commitment = publish(etd)
    dataset(
        Territory.objects.get(kind="departement", code="35"), schemas=["scdl/subventions"], remote_id="dep"
    )
    dataset(etd.territory, schemas=["scdl/subventions"], status=MatchStatus.TO_REVIEW, remote_id="review")
    dataset(etd.territory, schemas=["scdl/deliberations"], remote_id="other-schema")
    assert check_commitments().met == 0
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.A_FAIRE


def test_a_publish_commitment_past_its_due_date_turns_en_retard(atd_agent: Any) -> None:
    etd = rennes_etd()
    commitment = publish(etd, due=dt.date(2026, 6, 30))
    assert check_commitments(today=dt.date(2026, 6, 30)).overdue == 0
    stats = check_commitments(today=dt.date(2026, 7, 1))
    assert stats.overdue == 1
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.EN_RETARD
    # Published late: it is met all the same, and the ETD moves on.
    dataset(etd.territory, schemas=["scdl/subventions"])
    check_commitments(today=dt.date(2026, 7, 2))
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.TENU


def test_a_manual_status_survives_the_checks(atd_agent: Any) -> None:
    etd = rennes_etd()
    commitment = publish(etd, due=dt.date(2026, 1, 1))
    set_status(
        commitment, CommitmentStatus.EN_COURS, by=atd_agent, note="le fichier est prêt, il reste à le publier"
    )
    dataset(etd.territory, schemas=["scdl/subventions"])
    stats = check_commitments(today=dt.date(2026, 7, 1))
    assert (stats.met, stats.overdue) == (0, 0)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_set_by, commitment.status_by) == (
        "en_cours",
        "manual",
        atd_agent,
    )
    assert "le fichier est prêt" in commitment.note
    etd.refresh_from_db()
    assert etd.step == EtdStep.CONTACTEE


def test_an_etd_further_along_is_not_moved_back_to_publiee(atd_agent: Any) -> None:
    etd = rennes_etd(step=EtdStep.AUTONOME)
    publish(etd)
    dataset(etd.territory, schemas=["scdl/subventions"])
    assert check_commitments().met == 1
    etd.refresh_from_db()
    assert etd.step == EtdStep.AUTONOME


def test_an_atd_member_overrides_a_status_on_the_page_with_a_reason(
    atd_agent: Any, atd_client: Client
) -> None:
    etd = rennes_etd()
    commitment = publish(etd)
    url = reverse("programme:commitment", args=[etd.atd.slug, etd.pk, commitment.pk])
    refused = atd_client.post(url, {"action": "status", "status": "tenu", "note": ""})
    assert "Dites en quelques mots pourquoi" in text_of(refused)
    atd_client.post(url, {"action": "status", "status": "tenu", "note": "publié sur le site de la commune"})
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_set_by, commitment.status_by) == (
        "tenu",
        "manual",
        atd_agent,
    )
    atd_client.post(url, {"action": "status", "status": "", "note": ""})
    commitment.refresh_from_db()
    assert (commitment.status_set_by, commitment.status) == ("auto", "a_faire")


def add(client: Client, etd: Any, **fields: Any) -> Any:
    data = {
        "kind": CommitmentKind.PUBLISH,
        "schema_id": "scdl/subventions",
        "due_date": "2099-01-31",
        **fields,
    }
    return client.post(reverse("programme:commitments", args=[etd.atd.slug, etd.pk]), data)


def test_a_commitment_due_in_the_past_needs_an_explicit_confirmation(
    atd_agent: Any, atd_client: Client
) -> None:
    etd = rennes_etd()
    past = yesterday().isoformat()
    refused = add(atd_client, etd, due_date=past)
    assert refused.status_code == 200 and "est déjà passée" in text_of(refused)
    assert not Commitment.objects.exists()
    assert add(atd_client, etd, due_date=past, confirm_past="on").status_code == 302
    assert Commitment.objects.get().status == CommitmentStatus.EN_RETARD


def test_each_kind_asks_for_what_it_needs(atd_agent: Any, atd_client: Client) -> None:
    etd = rennes_etd()
    assert "Choisissez le jeu SCDL" in text_of(add(atd_client, etd, schema_id=""))
    assert "taux de participation visé" in text_of(add(atd_client, etd, kind="meetings"))
    assert "nom de l'outil" in text_of(add(atd_client, etd, kind="test_tool"))
    assert "Décrivez l'engagement" in text_of(add(atd_client, etd, kind="free"))
    add(atd_client, etd, kind="meetings", target_rate="80")
    assert Commitment.objects.get().label == "Participer aux points mensuels (taux visé : 80 %)"


def test_evidence_files_are_checked_by_their_content_and_served_to_the_etd(
    atd_agent: Any, atd_client: Client, citizen: Client
) -> None:
    etd = rennes_etd()
    refused = add(atd_client, etd, evidence_upload=SimpleUploadedFile("preuve.pdf", b"MZ\x90 an executable"))
    assert "« preuve.pdf » n'est pas un fichier accepté pour la preuve" in text_of(refused)
    assert not Commitment.objects.exists()
    add(atd_client, etd, evidence_upload=SimpleUploadedFile("preuve.pdf", b"%PDF-1.4 capture"))
    commitment = Commitment.objects.get()
    assert commitment.evidence_by == atd_agent and commitment.evidence_date is not None
    url = reverse("programme:commitment_evidence", args=[etd.atd.slug, etd.pk, commitment.pk])
    response = atd_client.get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 capture"  # type: ignore[attr-defined]
    assert citizen.get(url).status_code == 302


def test_the_commitments_table_exports(atd_agent: Any, atd_client: Client) -> None:
    etd = rennes_etd()
    publish(etd)
    url = reverse("programme:commitments", args=[etd.atd.slug, etd.pk])
    csv = atd_client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("engagement;type;statut")
    assert "Publier le jeu scdl/subventions avant le 01/01/2099" in csv
    for fmt in ("xlsx", "ods"):
        assert atd_client.get(url, {"format": fmt}).content.startswith(b"PK")


def test_the_command_checks_commitments_and_refuses_a_bad_date(atd_agent: Any, capsys: Any) -> None:
    publish(rennes_etd(), due=dt.date(2026, 1, 1))
    call_command("check_commitments", "--date", "2026-02-01")
    assert "1 passé(s) en retard" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Date « 01/02/2026 » invalide"):
        call_command("check_commitments", "--date", "01/02/2026")


def test_a_snapshot_runs_the_check(atd_agent: Any) -> None:
    from odl.observatory.history import take_snapshot

    etd = rennes_etd()
    commitment = publish(etd)
    dataset(etd.territory, schemas=["scdl/subventions"])
    take_snapshot()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.TENU
