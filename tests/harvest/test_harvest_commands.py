"""The harvest commands: declare, test, harvest, export and import the mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from harvest_replay import Replay, load, paged_ckan, serve_udata_fixtures

from odl.harvest.management.commands.export_mapping import Command as ExportMapping
from odl.harvest.management.commands.harvest import Command as Harvest
from odl.harvest.management.commands.harvest_sources import Command as HarvestSources
from odl.harvest.management.commands.import_mapping import Command as ImportMapping
from odl.harvest.models import HarvestRun, HarvestSource, Publisher
from odl.territories.models import Territory

pytestmark = pytest.mark.django_db


def declare(**options: Any) -> HarvestSource:
    source = HarvestSources().handle_one("add", **{"schedule": "weekly", **options})
    assert source is not None
    return source


def test_a_source_is_declared_tested_and_harvested_from_the_cli(
    replay: Replay, harvest_data: Path, small_referentiel: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_udata_fixtures(replay, harvest_data)
    source = declare(
        name="data.gouv.fr", kind="datagouv", url=replay.url(), owner="departement:35", test=True
    )
    assert "Première page : 5 jeu(x) sur 15" in capsys.readouterr().out
    assert source.owner.code == "35"
    assert HarvestRun.objects.count() == 0  # the test stored nothing
    call_command("harvest", str(source.pk), "--no-progress")
    out = capsys.readouterr().out
    assert "data.gouv.fr" in out and "15" in out
    assert source.datasets.count() == 15


@pytest.mark.parametrize(
    "options, message",
    [
        ({"kind": "ckan", "url": "ftp://portail.fr"}, "n'est pas une adresse web valide"),
        ({"kind": "ckan", "url": "portail sans schéma"}, "n'est pas une adresse web valide"),
        ({"kind": "arcgis", "url": "https://hub.fr"}, "type de source inconnu"),
        (
            {"kind": "ckan", "url": "https://p.fr", "owner": "departement:99"},
            "introuvable dans le référentiel",
        ),
    ],
)
def test_a_bad_declaration_gets_a_clear_french_message(options: dict[str, str], message: str) -> None:
    with pytest.raises(CommandError) as error:
        declare(name="x", **options)
    assert message in str(error.value)
    assert error.value.returncode == 2
    assert HarvestSource.objects.count() == 0


def test_testing_a_source_that_speaks_an_unknown_dcat_dialect_says_so(
    replay: Replay, harvest_data: Path
) -> None:
    replay.raw(
        "/csw",
        (harvest_data / "dcat/udata-tests/csw-geonetwork-dcat-page-1.xml").read_bytes(),
        "application/xml",
    )
    with pytest.raises(CommandError, match="réponse CSW"):
        declare(name="x", kind="dcat", url=replay.url("/csw"), test=True)
    assert HarvestSource.objects.count() == 0


def test_one_failing_source_does_not_stop_the_others(replay: Replay, harvest_data: Path) -> None:
    paged_ckan(replay, load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"])
    good = HarvestSource.objects.create(name="bon", kind="ckan", url=replay.url())
    HarvestSource.objects.create(name="cassé", kind="dcat", url=replay.url("/nowhere"))
    runs = Harvest().handle_one([], all_sources=True)
    assert sorted(r.status for r in runs) == ["failed", "success"]
    assert good.datasets.count() == 3
    with pytest.raises(CommandError) as error:
        call_command("harvest", "--all", "--no-progress")
    assert error.value.returncode == 1


def test_harvest_needs_sources_or_all() -> None:
    with pytest.raises(CommandError, match="Indiquez des sources OU --all"):
        Harvest().handle_one([])
    with pytest.raises(CommandError, match="source « 999 » inconnue"):
        Harvest().handle_one(["999"])


def test_the_mapping_exports_and_imports_as_csv_and_decisions_survive(
    replay: Replay, harvest_data: Path, small_referentiel: Path, tmp_path: Path
) -> None:
    serve_udata_fixtures(replay, harvest_data)
    source = HarvestSource.objects.create(name="dg", kind="datagouv", url=replay.url())
    Harvest().handle_one([str(source.pk)])
    target = tmp_path / "mapping.csv"
    call_command("export_mapping", "--output", str(target))
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("source_id;source;editeur_id;editeur")
    # The reviewer fixes Sixt-sur-Aff's line in a spreadsheet: it is Bruz (for the sake of the test).
    lines = text.splitlines()
    sixt = next(i for i, line in enumerate(lines) if "Sixt-sur-Aff" in line)
    cells = lines[sixt].split(";")
    cells[5], cells[7], cells[8] = "accepted", "commune", "35047"
    lines[sixt] = ";".join(cells)
    target.write_text("\n".join(lines), encoding="utf-8")
    report = ImportMapping().handle_one(str(target))
    assert (report.changed, report.errors) == (1, [])
    Harvest().handle_one([str(source.pk)])
    publisher = Publisher.objects.get(name="Commune de Sixt-sur-Aff")
    assert (publisher.match_status, publisher.territory) == ("accepted", Territory.objects.get(code="35047"))
    assert len(ExportMapping().handle_one(["accepted"])) == 1


def test_a_bad_mapping_file_is_refused_line_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "source_id;editeur_id;statut;collectivite_type;collectivite_code\n1;x;peut-être;;\n", encoding="utf-8"
    )
    with pytest.raises(CommandError) as error:
        call_command("import_mapping", str(bad))
    assert error.value.returncode == 1
    assert "ligne 2 : éditeur « x » de la source 1 inconnu" in capsys.readouterr().err
    missing = tmp_path / "missing.csv"
    missing.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Colonnes manquantes"):
        ImportMapping().handle_one(str(missing))


def test_due_sources_follow_their_schedule(replay: Replay, harvest_data: Path) -> None:
    from datetime import timedelta

    from django.utils import timezone

    paged_ckan(replay, load(harvest_data, "ckan/demo.ckan.org-package_search.json")["result"]["results"])
    weekly = HarvestSource.objects.create(name="hebdo", kind="ckan", url=replay.url(), schedule="weekly")
    HarvestSource.objects.create(name="à la main", kind="ckan", url=replay.url(), schedule="manual")
    assert [r.source for r in Harvest().handle_one([], all_sources=True, due=True)] == [weekly]
    assert Harvest().handle_one([], all_sources=True, due=True) == []
    HarvestRun.objects.update(started_at=timezone.now() - timedelta(days=8))
    assert len(Harvest().handle_one([], all_sources=True, due=True)) == 1
