"""Pushing a dataset to a local data.gouv.fr: created once, updated after, never duplicated."""

from __future__ import annotations

from typing import Any

import pytest
from udata_replay import Fault, Udata

from odl.datagouv import push as service
from odl.datagouv.models import ApiCall, DatagouvLink, Push, PushStatus, RemoteDataset

CSV = b"nomAttribuant,idAttribuant,dateConvention\nRennes,21350238800019,2026-01-05\n"

pytestmark = pytest.mark.django_db


def item(**changes: Any) -> service.PushItem:
    fields: dict[str, Any] = {
        "local_id": "subventions-2026",
        "title": "Subventions 2026 de Rennes",
        "description": "Les subventions attribuées en 2026.",
        "filename": "subventions.csv",
        "content": CSV,
        "license": "fr-lo",
        "frequency": "annual",
        "schema_name": "scdl/subventions",
        "schema_version": "2.1.0",
        "tags": ["subventions", "SCDL"],
    }
    fields.update(changes)
    return service.PushItem(**fields)


def test_a_first_push_creates_the_dataset_and_its_resource_with_schema_licence_and_frequency(
    link: DatagouvLink, udata: Udata
) -> None:
    record = service.push(link, item())
    assert record.status == PushStatus.DONE, record.error
    assert len(udata.datasets) == 1
    dataset = next(iter(udata.datasets.values()))
    assert dataset["organization"]["id"] == link.organization_id
    assert (dataset["license"], dataset["frequency"]) == ("fr-lo", "annual")
    assert dataset["tags"] == ["scdl", "subventions"]
    assert dataset["extras"]["odl_local_id"] == "subventions-2026"
    [resource] = dataset["resources"]
    assert resource["schema"] == {"name": "scdl/subventions", "version": "2.1.0"}
    assert resource["format"] == "csv"
    remote = RemoteDataset.objects.get(link=link, local_id="subventions-2026")
    assert (remote.dataset_id, remote.resource_id) == (dataset["id"], resource["id"])
    assert remote.page.endswith("/fr/datasets/subventions-2026-de-rennes/")
    assert record.plan["dataset"] == "create" and record.plan["file"] == "upload"


def test_a_second_push_updates_only_what_changed_and_replaces_the_file(
    link: DatagouvLink, udata: Udata
) -> None:
    service.push(link, item())
    udata.requests.clear()
    record = service.push(
        link, item(title="Subventions 2026", content=CSV + b"Rennes,21350238800019,2026-02-01\n")
    )
    assert record.status == PushStatus.DONE, record.error
    assert len(udata.datasets) == 1
    assert [c["field"] for c in record.plan["dataset_changes"]] == ["title"]
    assert record.plan["file"] == "replace"
    assert udata.calls("POST", "/api/1/datasets/") == [
        f"/api/1/datasets/{record.dataset_id}/resources/{record.resource_id}/upload/"
    ]
    assert len(next(iter(udata.datasets.values()))["resources"]) == 1


def test_pushing_the_same_thing_again_writes_nothing(link: DatagouvLink, udata: Udata) -> None:
    service.push(link, item())
    udata.requests.clear()
    record = service.push(link, item())
    assert record.status == PushStatus.DONE
    assert record.plan["dataset_changes"] == [] and record.plan["file"] == "unchanged"
    assert udata.calls("POST") == [] and udata.calls("PUT") == []


def test_a_dry_run_says_create_then_update_with_the_fields_that_differ_and_writes_nothing(
    link: DatagouvLink, udata: Udata
) -> None:
    first = service.push(link, item(), dry_run=True)
    assert first.status == PushStatus.DRY_RUN
    assert first.plan["dataset"] == "create" and first.plan["resource"] == "create"
    assert udata.datasets == {} and udata.calls("POST") == []
    service.push(link, item())
    udata.requests.clear()
    second = service.push(link, item(frequency="monthly", license="odc-odbl"), dry_run=True)
    assert second.plan["dataset"] == "update"
    changed = {c["field"]: (c["before"], c["after"]) for c in second.plan["dataset_changes"]}
    assert changed == {"license": ("fr-lo", "odc-odbl"), "frequency": ("annual", "monthly")}
    assert udata.calls("POST") == [] and udata.calls("PUT") == []
    assert not second.file


def test_a_creation_whose_answer_is_lost_is_found_by_its_extras_key_on_retry(
    link: DatagouvLink, udata: Udata, settings: Any
) -> None:
    settings.ODL_DATAGOUV_TIMEOUT = 0.5
    udata.fail("POST", "/api/1/datasets/", Fault(200, {}, delay=1.5, after_work=True))
    failed = service.push(link, item())
    assert failed.status == PushStatus.FAILED and failed.error_kind == "timeout"
    assert "n'a pas répondu dans les 0.5 s" in failed.error
    assert failed.retryable and failed.next_attempt_at is not None
    assert len(udata.datasets) == 1  # created on the other side, answer lost
    settings.ODL_DATAGOUV_TIMEOUT = 5.0
    [retried] = service.retry_due(everything=True)
    assert retried.status == PushStatus.DONE, retried.error
    assert len(udata.datasets) == 1
    assert len(next(iter(udata.datasets.values()))["resources"]) == 1


def test_an_upload_whose_answer_is_lost_is_found_by_its_file_name_on_retry(
    link: DatagouvLink, udata: Udata
) -> None:
    service.push(link, item(), dry_run=True)
    udata.fail("POST", "/api/1/datasets/", Fault(201, {}, after_work=True))  # creation answered
    record = service.push(link, item(local_id="autre"))
    # The creation's answer had no id: the push fails, then the retry finds the dataset by its key.
    assert record.status == PushStatus.FAILED
    dataset_id = next(iter(udata.datasets))
    upload = f"/api/1/datasets/{dataset_id}/upload/"
    udata.fail("POST", upload, Fault(502, {"message": "Bad Gateway"}, after_work=True))
    again = service.retry(record)
    assert again is not None and again.status == PushStatus.FAILED and again.error_kind == "server"
    final = service.retry(again)
    assert final is not None and final.status == PushStatus.DONE, final.error
    assert len(udata.datasets) == 1
    assert len(udata.datasets[dataset_id]["resources"]) == 1


@pytest.mark.parametrize(
    ("fault", "kind", "words", "retryable"),
    [
        (Fault(401, {"message": "Invalid API Key"}), "key", "refuse la clé d'API (401)", False),
        (Fault(403, {"message": "You do not have the permission"}), "key", "(403)", False),
        (
            Fault(404, {"message": "Organization not found"}),
            "not_found",
            "introuvable sur data.gouv.fr (404)",
            False,
        ),
        (
            Fault(429, {"message": "Too many requests"}, {"Retry-After": "120"}),
            "rate_limit",
            "dans 120 s",
            True,
        ),
        (Fault(500, {"message": "Internal Server Error"}), "server", "en erreur (500)", True),
        (Fault(503, b"<html>maintenance</html>"), "server", "en erreur (503)", True),
    ],
)
def test_each_failure_says_in_french_what_went_wrong(
    link: DatagouvLink, udata: Udata, fault: Fault, kind: str, words: str, retryable: bool
) -> None:
    udata.fail("GET", f"/api/1/organizations/{link.organization_id}/datasets/", fault)
    record = service.push(link, item())
    assert record.status == PushStatus.FAILED
    assert record.error_kind == kind and words in record.error
    assert record.retryable is retryable
    assert udata.datasets == {}
    if kind == "rate_limit":
        assert record.next_attempt_at is not None and record.finished_at is not None
        assert (record.next_attempt_at - record.finished_at).total_seconds() >= 600  # the longer wait wins


def test_a_revoked_key_marks_the_link_and_a_new_key_queues_the_push_again(
    link: DatagouvLink, udata: Udata
) -> None:
    from udata_replay import VALID_KEY

    from odl.datagouv.linking import save_key

    link.set_api_key("cle-revoquee-000000000000", None)
    link.save()
    record = service.push(link, item())
    assert record.status == PushStatus.FAILED and record.error_kind == "key" and not record.retryable
    link.refresh_from_db()
    assert link.key_status == "refused"
    assert save_key(link, VALID_KEY, None) == 1
    [done] = service.retry_due()
    assert done.status == PushStatus.DONE, done.error
    link.refresh_from_db()
    assert link.key_status == "ok"


def test_every_call_is_recorded_without_the_key(link: DatagouvLink, udata: Udata) -> None:
    service.push(link, item())
    calls = list(ApiCall.objects.order_by("pk").values_list("method", "url", "status"))
    assert [(m, s) for m, _u, s in calls] == [
        ("GET", 200),  # the organisation's datasets: nothing with this key yet
        ("POST", 201),
        ("POST", 201),
        ("PUT", 200),
    ]
    assert all(link.api_key not in u for _m, u, _s in calls)
    assert not ApiCall.objects.filter(answer__contains=link.api_key).exists()
    assert all(h.get("x-api-key") == link.api_key for m, _p, h in udata.requests if m != "GET")


def test_a_newer_push_stops_an_older_failed_one_from_coming_back(link: DatagouvLink, udata: Udata) -> None:
    udata.fail("GET", f"/api/1/organizations/{link.organization_id}/datasets/", Fault(500, {"message": "x"}))
    old = service.push(link, item(title="Ancien titre"))
    assert old.status == PushStatus.FAILED and old.retryable
    new = service.push(link, item(title="Nouveau titre"))
    assert new.status == PushStatus.DONE
    old.refresh_from_db()
    assert not old.retryable
    assert service.retry_due(everything=True) == []
    assert next(iter(udata.datasets.values()))["title"] == "Nouveau titre"


def test_a_push_gives_up_after_the_last_attempt(link: DatagouvLink, udata: Udata, settings: Any) -> None:
    settings.ODL_DATAGOUV_MAX_ATTEMPTS = 2
    path = f"/api/1/organizations/{link.organization_id}/datasets/"
    udata.fail("GET", path, Fault(500, {"message": "x"}), Fault(500, {"message": "x"}))
    first = service.push(link, item())
    assert first.retryable
    [again] = service.retry_due(everything=True)
    assert again.attempts == 2 and not again.retryable and "Abandon après 2 essais" in again.error
    assert Push.objects.due().count() == 0


def test_the_item_store_is_told_the_remote_ids_and_the_signal_is_sent(
    link: DatagouvLink, udata: Udata
) -> None:
    class Store:
        def __init__(self) -> None:
            self.ids = service.RemoteIds()

        def load_remote_ids(self) -> service.RemoteIds:
            return self.ids

        def save_remote_ids(self, ids: service.RemoteIds) -> None:
            self.ids = ids

    received: list[dict[str, Any]] = []

    def listener(**kwargs: Any) -> None:
        received.append(kwargs)

    service.dataset_pushed.connect(listener)
    try:
        store = Store()
        record = service.push(link, item(store=store))
    finally:
        service.dataset_pushed.disconnect(listener)
    assert store.ids == service.RemoteIds(record.dataset_id, record.resource_id)
    assert received[0]["dataset_id"] == record.dataset_id and received[0]["local_id"] == "subventions-2026"


def test_a_link_without_organisation_or_key_is_refused_in_french(link: DatagouvLink) -> None:
    link.set_api_key("", None)
    link.save()
    with pytest.raises(service.NotReady, match="clé d'API"):
        service.push(link, item())


def test_an_internal_api_address_is_refused_by_the_guard(link: DatagouvLink, settings: Any) -> None:
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = False
    record = service.push(link, item())
    assert record.status == PushStatus.FAILED and record.error_kind == "refused"
    assert "adresse interne refusée" in record.error


def test_the_retry_command_sends_what_failed_once_the_server_is_back(
    link: DatagouvLink, udata: Udata
) -> None:
    from io import StringIO

    from odl.datagouv.management.commands.datagouv_retry import Command

    udata.fail("POST", "/api/1/datasets/", Fault(500, {"message": "Internal Server Error"}))
    failed = service.push(link, item())
    assert failed.status == PushStatus.FAILED
    out = StringIO()
    assert Command(stdout=out).handle_one() == []  # its wait is not over
    [done] = Command(stdout=out).handle_one(now=True)
    assert done.status == PushStatus.DONE and len(udata.datasets) == 1
    assert "1 envoi(s) réussi(s) sur 1 essayé(s) ; 0 en attente." in out.getvalue()


def test_a_push_left_running_by_a_dead_process_is_retried(link: DatagouvLink, udata: Udata) -> None:
    import datetime as dt

    from django.utils import timezone

    record = service.push(link, item(), dry_run=True)
    # A real push whose process died after the creation call: running, its file kept, its lock held.
    record.dry_run, record.status = False, PushStatus.RUNNING
    record.started_at = timezone.now() - dt.timedelta(hours=1)
    from django.core.files.base import ContentFile

    record.file.save("subventions.csv", ContentFile(CSV), save=False)
    record.save()
    [done] = service.retry_due()
    assert done.pk == record.pk and done.status == PushStatus.DONE, done.error


def test_an_answer_of_an_unexpected_shape_fails_the_push_in_french_without_leaving_it_running(
    link: DatagouvLink, udata: Udata
) -> None:
    udata.fail(
        "GET",
        f"/api/1/organizations/{link.organization_id}/datasets/",
        Fault(200, {"data": [{"extras": {"odl_local_id": "subventions-2026"}}], "next_page": None}),
    )
    record = service.push(link, item())
    assert record.status == PushStatus.FAILED and record.error_kind == "internal" and record.retryable
    assert "Erreur inattendue" in record.error
