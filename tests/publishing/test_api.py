"""The data-space API: published datasets, versions and downloads (public); the nightly push of a new
version by a business application with a personal token; who may push; rate limits per token."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from odl.accounts.models import ApiToken
from odl.accounts.tokens import ratelimit_key
from odl.api import api
from odl.publishing import versions
from odl.publishing.models import ColumnMemory, Dataset, DatasetVersion, ImportDraft
from odl.schemas.registry import known
from tests.publishing.helpers import MESSY_HEADER, messy_row, messy_xlsx
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

pytestmark = pytest.mark.django_db


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _push(
    client: Client, dataset: Dataset, key: str, body: bytes, name: str = "export.xlsx", **data: Any
) -> Any:
    return client.post(
        f"/api/donnees/{dataset.pk}/versions",
        {"file": SimpleUploadedFile(name, body), **data},
        headers=_bearer(key),
    )


def _publish_one(dataset: Dataset) -> DatasetVersion:
    table = (",".join(SUB_HEADER) + "\n" + ",".join(f'"{v}"' for v in SUB_GOOD) + "\n").encode()
    return versions.publish(dataset, table, known("subventions"), by=None, valid=True)


def test_published_datasets_are_listed_filtered_and_paged_with_their_stable_downloads(
    client: Client, dataset: Dataset
) -> None:
    _publish_one(dataset)
    private = Dataset.objects.create(etd=dataset.etd, schema_name="subventions", title="Privé", public=False)
    _publish_one(private)
    Dataset.objects.create(etd=dataset.etd, schema_name="subventions", title="Jamais publié")
    body = client.get("/api/donnees").json()
    assert body["count"] == 1 and body["page"] == 1
    item = body["results"][0]
    assert item["titre"] == "Subventions 2024" and item["schema_scdl"] == "subventions"
    assert item["collectivite"] == {
        "nom": "Rennes",
        "type": "commune",
        "code_insee": "35238",
        "siren": dataset.etd.territory.siren,
    }
    assert item["derniere_version"]["numero"] == 1 and item["derniere_version"]["valide"] is True
    assert item["telechargements"]["csv"] == f"http://testserver/donnees/{dataset.pk}/dernier.csv"
    assert set(item["telechargements"]) == {"csv", "xlsx", "json"}  # no coordinates: no GeoJSON
    for query in ("siren=" + dataset.etd.territory.siren, "code_insee=35238", "schema=subventions"):
        assert client.get(f"/api/donnees?{query}").json()["count"] == 1, query
    for query in ("siren=200000000", "code_insee=29019", "schema=budget"):
        assert client.get(f"/api/donnees?{query}").json()["count"] == 0, query
    refused = client.get("/api/donnees?page=0")
    assert refused.status_code == 400 and "page" in refused.json()["detail"]
    # The URLs given are the real downloads.
    download = client.get(
        item["derniere_version"]["telechargements"]["csv"].removeprefix("http://testserver")
    )
    assert download.status_code == 200 and download.content.startswith(b"nomAttribuant")


def test_one_dataset_gives_each_version_its_downloads_and_a_version_its_diff(
    client: Client, dataset: Dataset
) -> None:
    _publish_one(dataset)
    changed = list(SUB_GOOD)
    amount = SUB_HEADER.index("montant")
    changed[amount] = "999"
    table = ",".join(SUB_HEADER) + "\n" + ",".join(f'"{v}"' for v in changed) + "\n"
    versions.publish(dataset, table.encode(), known("subventions"), by=None, valid=True)
    body = client.get(f"/api/donnees/{dataset.pk}").json()
    assert [v["numero"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["telechargements"]["xlsx"].endswith(f"/donnees/{dataset.pk}/v1.xlsx")
    assert body["versions"][0]["lignes_modifiees"] == 1
    detail = client.get(f"/api/donnees/{dataset.pk}/versions/2").json()
    cells = detail["differences"]["examples"]["changed"][0]["cells"]
    assert cells == [{"field": "montant", "old": SUB_GOOD[amount], "new": "999"}]
    missing = client.get(f"/api/donnees/{dataset.pk}/versions/9")
    assert missing.status_code == 404 and "pas de version 9" in missing.json()["detail"]
    private = Dataset.objects.create(etd=dataset.etd, schema_name="subventions", title="Privé", public=False)
    _publish_one(private)
    assert client.get(f"/api/donnees/{private.pk}").status_code == 404


def test_a_nightly_push_publishes_version_n_plus_1_with_its_diff_and_the_remembered_mapping(
    client: Client, dataset: Dataset, etd_agent: Any
) -> None:
    _token, key = ApiToken.issue(etd_agent, "logiciel de gestion")
    # The collectivité once mapped its own odd column by hand on the site: the push uses that choice.
    ColumnMemory.objects.create(
        territory=dataset.etd.territory, schema_name="subventions", column="codenature", field="nature"
    )
    header = [("Code nature" if h == "Nature" else h) for h in MESSY_HEADER]
    first = _push(client, dataset, key, messy_xlsx([messy_row(1), messy_row(2)], header))
    assert first.status_code == 201, first.content[:800]
    answer = first.json()
    assert answer["numero"] == 1 and answer["valide"] is True and answer["lignes"] == 2
    assert answer["correspondance"]["Code nature"] == "nature"
    assert answer["colonnes_mises_de_cote"] == ["Commentaire interne"]
    assert answer["corrections"] > 0  # French dates and decimal commas, fixed safely
    second = _push(
        client, dataset, key, messy_xlsx([messy_row(1), messy_row(2, amount="2000"), messy_row(3)], header)
    )
    assert second.status_code == 201, second.content[:800]
    answer = second.json()
    assert answer["numero"] == 2 and answer["differences"]["added"] == 1
    assert answer["differences"]["changed"] == 1 and answer["differences"]["removed"] == 0
    assert answer["telechargements"]["csv"].endswith(f"/donnees/{dataset.pk}/v2.csv")
    dataset.refresh_from_db()
    assert dataset.latest is not None and dataset.latest.number == 2
    assert dataset.latest.created_by == etd_agent and not dataset.latest.by_atd
    assert ApiToken.objects.get().last_used_at is not None


def test_a_push_whose_columns_match_nothing_is_refused_in_french_and_publishes_nothing(
    client: Client, dataset: Dataset, etd_agent: Any
) -> None:
    _publish_one(dataset)
    _token, key = ApiToken.issue(etd_agent, "export")
    body = b"truc;machin;chose\n1;2;3\n"
    refused = _push(client, dataset, key, body, name="export.csv")
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "Aucune colonne du fichier ne correspond à un champ du schéma « subventions »" in detail
    assert "« truc », « machin », « chose »" in detail and "rien n'est publié" in detail
    assert dataset.versions.count() == 1 and not ImportDraft.objects.exists()


def test_a_push_with_errors_left_publishes_only_when_asked_and_then_says_not_valid(
    client: Client, dataset: Dataset, etd_agent: Any
) -> None:
    _token, key = ApiToken.issue(etd_agent, "export")
    body = messy_xlsx([messy_row(1, amount="beaucoup")])
    refused = _push(client, dataset, key, body)
    assert refused.status_code == 422
    answer = refused.json()
    assert answer["erreurs"] == 1 and "rien n'est publié" in answer["detail"]
    assert answer["problemes"][0]["colonne"] == "montant" and answer["problemes"][0]["ligne_fichier"] == 4
    assert "/verification/" in answer["import_a_verifier"]
    assert not dataset.versions.exists()
    accepted = _push(client, dataset, key, body, publier_si_erreurs="true")
    assert accepted.status_code == 201 and accepted.json()["valide"] is False
    refused = _push(client, dataset, key, b"", name="vide.csv")
    assert refused.status_code == 422 and "est vide" in refused.json()["detail"]
    missing = client.post(f"/api/donnees/{dataset.pk}/versions", {}, headers=_bearer(key))
    assert missing.status_code == 422 and "fichier" in missing.json()["detail"]


def test_only_the_collectivite_and_its_atd_may_push(
    client: Client, dataset: Dataset, other_atd_staff: Any, atd_agent: Any
) -> None:
    body = messy_xlsx([messy_row(1)])
    _token, stranger = ApiToken.issue(other_atd_staff, "autre ATD")
    refused = _push(client, dataset, stranger, body)
    assert refused.status_code == 403
    assert "seuls ses agents, l'équipe de l'ATD" in refused.json()["detail"]
    assert not dataset.versions.exists() and not ImportDraft.objects.exists()
    _token, staff = ApiToken.issue(atd_agent, "ATD")
    pushed = _push(client, dataset, staff, body)
    assert pushed.status_code == 201
    assert DatasetVersion.objects.get().by_atd  # shown « publié par l'ATD pour le compte de … »
    assert (
        client.post(f"/api/donnees/{dataset.pk + 1000}/versions", headers=_bearer(staff)).status_code == 404
    )


def test_a_bad_or_missing_token_gets_a_401_in_french(client: Client, dataset: Dataset) -> None:
    bad = _push(client, dataset, "odl_inventé", messy_xlsx([messy_row(1)]))
    assert bad.status_code == 401 and "Jeton d'API inconnu ou révoqué" in bad.json()["detail"]
    none = client.post(f"/api/donnees/{dataset.pk}/versions")
    assert none.status_code == 401 and "Authorization: Bearer" in none.json()["detail"]
    assert not dataset.versions.exists()


def test_token_calls_are_rate_limited_per_user_not_per_address(
    settings: Any, client: Client, etd_agent: Any, rf: Any
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.ODL_RATELIMIT_API = "2/h"
    cache.clear()
    token, key = ApiToken.issue(etd_agent, "export")
    assert [client.get("/api/donnees", headers=_bearer(key)).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/donnees", headers=_bearer(key))
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Trop de requêtes pour votre compte : réessayez dans ")
    # The same address without the token has its own counter; a made-up token counts for the address.
    assert client.get("/api/donnees").status_code == 200

    def key_of(header: str) -> str:
        request = rf.get("/", HTTP_AUTHORIZATION=header)
        request.user = AnonymousUser()
        return ratelimit_key("api", request)

    assert key_of(f"Bearer {key}") == str(etd_agent.pk)
    assert key_of("Bearer odl_x") == "127.0.0.1"
    token.revoke()
    assert key_of(f"Bearer {key}") == "127.0.0.1"


def test_the_openapi_description_has_the_data_space_endpoints_and_the_bearer_scheme() -> None:
    spec = api.get_openapi_schema()
    paths = spec["paths"]
    assert "get" in paths["/api/donnees"] and "get" in paths["/api/donnees/{pk}"]
    assert "get" in paths["/api/donnees/{pk}/versions/{number}"]
    push = paths["/api/donnees/{pk}/versions"]["post"]
    assert {201, 401, 403, 422} <= {int(code) for code in push["responses"]}
    assert {"ApiTokenAuth": []} in push["security"]
    assert spec["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"
    assert "DatasetDetailOut" in spec["components"]["schemas"]


def test_the_clear_key_is_never_stored(etd_agent: Any) -> None:
    token, key = ApiToken.issue(etd_agent, "export")
    assert key.startswith("odl_") and len(key) > 40
    assert token.token_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(v) for v in ApiToken.objects.values().get().values()}
    assert ApiToken.find(key) == token and ApiToken.find(key + "x") is None
