"""The national coordinator edits the bank and the rules in the admin; questions are retired, not deleted."""

from __future__ import annotations

from typing import Any

from odl.culture.models import Domain, Item
from tests import personas


def test_the_coordinator_edits_domains_items_and_rules_in_the_admin(
    default_bank: None, coordinator: Any
) -> None:
    client = personas.logged_in(coordinator)
    domain = Domain.objects.get(code="formats")
    for url in (
        "/admin/culture/domain/",
        f"/admin/culture/domain/{domain.pk}/change/",
        "/admin/culture/item/",
        "/admin/culture/rule/",
        "/admin/culture/rule/add/",
        "/admin/culture/campaign/",
    ):
        assert client.get(url).status_code == 200, url
    item = Item.objects.get(code="formats-csv")
    page = client.get(f"/admin/culture/item/{item.pk}/change/")
    assert page.status_code == 200 and f"/admin/culture/item/{item.pk}/delete/" not in page.content.decode()
    data = {
        "domain": domain.pk,
        "code": item.code,
        "kind": "auto",
        "text": item.text,
        "options": '["a", "b", "c"]',
        "position": 0,
        "active": "on",
    }
    refused = client.post(f"/admin/culture/item/{item.pk}/change/", data)
    assert "un auto-positionnement a cinq réponses (de 0 à 4 points), pas 3" in refused.content.decode()
    assert len(Item.objects.get(pk=item.pk).options) == 5
