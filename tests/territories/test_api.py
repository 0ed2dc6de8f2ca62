import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("small_referentiel")


def test_the_targets_endpoint_returns_the_same_rows_as_the_page(client: Client) -> None:
    data = client.get("/api/targets", {"region": "53"}).json()
    page_rows = client.get("/ciblage/", {"region": "53"}).context["result"].rows
    assert [r["code"] for r in data["rows"]] == [r["code"] for r in page_rows]
    assert data["count"] == 12
    assert list(data["rows"][0]) == [
        "kind", "code", "siren", "nom", "population", "millesime",
        "departement", "region", "epci_siren", "obligation", "raison",
    ]  # fmt: skip
    assert "3 500" in data["criteria"]["rule"]


def test_repeated_parameters_combine_as_a_union(client: Client) -> None:
    data = client.get("/api/targets?departement=22&departement=2A&kind=commune").json()
    assert {r["code"] for r in data["rows"]} == {"22278", "22050", "2A004"}


def test_an_unknown_code_is_a_400_with_a_french_detail(client: Client) -> None:
    response = client.get("/api/targets", {"region": "99"})
    assert response.status_code == 400
    assert "Région inconnu(e) : 99" in response.json()["detail"]


def test_territories_are_listed_and_searchable(client: Client) -> None:
    data = client.get("/api/territories", {"kind": "commune", "q": "acigne"}).json()
    assert data["count"] == 1
    acigne = data["results"][0]
    assert acigne["obligation"] == "a_confirmer" and acigne["epci_siren"] == "243500139"


def test_one_territory(client: Client) -> None:
    data = client.get("/api/territories/epci/243500139").json()
    assert data["nom"] == "Rennes Métropole" and data["obligation"] == "a_confirmer"
    assert client.get("/api/territories/commune/00000").status_code == 404


def test_a_bad_kind_or_page_is_a_400(client: Client) -> None:
    assert client.get("/api/territories", {"kind": "canton"}).status_code == 400
    assert client.get("/api/territories", {"page": "0"}).status_code == 400
    assert client.get("/api/territories", {"page": "99999999999999999"}).status_code == 400


def test_the_openapi_description_and_docs_page_are_served_without_cdn(client: Client) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/targets" in spec["paths"] and "/api/territories" in spec["paths"]
    docs = client.get("/api/docs").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs
