"""Upgrading a platform from before the harvest/observatory split keeps every row, membership and permission."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("observatory", "0004_scdl_validation"),
    ("territories", "0001_initial"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]
MOVED = {
    "harvestsource": "harvest",
    "harvestrun": "harvest",
    "publisher": "harvest",
    "harvesteddataset": "harvest",
    "atdmember": "territories",
}


def _migrate(targets: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_from_before_the_split_migrates_with_every_row() -> None:
    old = _migrate(BEFORE)
    User = old.get_model("auth", "User")
    Territory = old.get_model("territories", "Territory")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    user = User.objects.create(username="ancien-atd")
    dep = Territory.objects.create(kind="departement", code="35", nom="Ille-et-Vilaine")
    rennes = Territory.objects.create(kind="commune", code="35238", nom="Rennes", departement_code="35")
    before = {name: old.get_model("observatory", name) for name in MOVED}
    member = before["atdmember"].objects.create(user=user, territory=dep, atd_name="Département 35")
    source = before["harvestsource"].objects.create(
        name="Portail 35", kind="ckan", url="https://p.example.fr", owner=dep
    )
    run = before["harvestrun"].objects.create(source=source, status="success", items_seen=1)
    publisher = before["publisher"].objects.create(
        source=source, remote_id="rennes", name="Ville de Rennes", territory=rennes, match_status="accepted"
    )
    dataset = before["harvesteddataset"].objects.create(
        source=source, publisher=publisher, remote_id="d1", title="Subventions", schemas=["scdl/subventions"]
    )
    # A permission given in the admin before the upgrade, on one of the moving models.
    ct, _ = ContentType.objects.get_or_create(app_label="observatory", model="publisher")
    permission, _ = Permission.objects.get_or_create(
        content_type=ct, codename="change_publisher", defaults={"name": "Can change publisher"}
    )
    user.user_permissions.add(permission)

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # Later, the membership became an ATD of its own, with this user as its admin.
    membership = new.get_model("atds", "AtdMembership").objects.get(user_id=user.pk)
    assert (membership.role, membership.atd.structure_id, membership.atd.name) == (
        "admin",
        dep.pk,
        "Département 35",
    )
    assert list(membership.atd.areas.values_list("pk", flat=True)) == [dep.pk]
    assert member.pk
    assert new.get_model("harvest", "HarvestSource").objects.get(pk=source.pk).name == "Portail 35"
    assert new.get_model("harvest", "HarvestRun").objects.get(pk=run.pk).source_id == source.pk
    moved_publisher = new.get_model("harvest", "Publisher").objects.get(pk=publisher.pk)
    assert (moved_publisher.territory_id, moved_publisher.match_status) == (rennes.pk, "accepted")
    moved_dataset = new.get_model("harvest", "HarvestedDataset").objects.get(pk=dataset.pk)
    assert (moved_dataset.publisher_id, moved_dataset.schemas) == (publisher.pk, ["scdl/subventions"])
    new_ct = new.get_model("contenttypes", "ContentType").objects.get(pk=ct.pk)
    assert (new_ct.app_label, new_ct.model) == ("harvest", "publisher")
    assert (
        new.get_model("auth", "User")
        .objects.get(pk=user.pk)
        .user_permissions.filter(pk=permission.pk)
        .exists()
    )
