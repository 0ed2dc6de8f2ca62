"""The builder refuses a dishonest chart and says why, reads harvested resources (or says in French why it
cannot, keeping what is stored), and the public page, embed and exports show what was built."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from odl.dashboards.models import Chart, Dashboard, ResourceCopy
from odl.harvest.models import HarvestedDataset, HarvestSource, Publisher
from odl.programme.models import Etd
from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from tests import personas
from tests.dashboards.conftest import HEADER, ROWS, builder, csv_of
from tests.loopback import serving

pytestmark = pytest.mark.django_db


def chart_post(source: str, **change: str) -> dict[str, str]:
    data = {
        "action": "enregistrer",
        "source": source,
        "title": "Valeurs par quartier",
        "measure": "sum",
        "value_column": "valeur",
        "denominator_column": "",
        "breakdown_column": "quartier",
        "breakdown": "category",
        "kind": "bar",
        "y_min": "",
        "y_max": "",
        "method": "Somme des relevés.",
        "method_version": "1",
        "method_column": "",
    }
    data.update(change)
    return data


def test_an_agent_creates_a_dashboard_and_a_truncated_bar_chart_is_refused_then_accepted(
    etd_client: Client, etd: Etd, air: Dataset
) -> None:
    response = etd_client.post(
        f"/suivi/{etd.atd.slug}/etd/{etd.pk}/tableaux-de-bord/", {"title": "L'air", "device": "Des capteurs"}
    )
    board = Dashboard.objects.get()
    assert response.status_code == 302 and response["Location"] == board.builder_url()
    assert board.etd == etd and board.slug == "lair-rennes"
    url = builder(board, "graphiques/nouveau/")
    refused = etd_client.post(url, chart_post(f"p:{air.pk}", y_min="50"))
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Un diagramme en barres commence à zéro : l&#x27;axe vertical commence ici à 50" in text
    assert not Chart.objects.exists()
    # What was typed stays in the form.
    assert 'value="Valeurs par quartier"' in text
    accepted = etd_client.post(url, chart_post(f"p:{air.pk}"))
    assert accepted.status_code == 302
    chart = Chart.objects.get()
    assert (chart.dataset, chart.measure, chart.value_column) == (air, "sum", "valeur")


def test_the_columns_step_offers_the_sources_columns(
    etd_client: Client, board: Dashboard, air: Dataset
) -> None:
    response = etd_client.post(
        builder(board, "graphiques/nouveau/"), {"action": "colonnes", "source": f"p:{air.pk}"}
    )
    assert response.status_code == 200
    assert '<option value="depassements">' in response.content.decode()


def test_a_dual_axis_and_a_rate_without_denominator_are_refused_with_their_reasons(
    etd_client: Client, board: Dashboard, air: Dataset
) -> None:
    response = etd_client.post(
        builder(board, "graphiques/nouveau/"),
        chart_post(f"p:{air.pk}", second_axis="on", measure="rate", value_column="depassements"),
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Pas de second axe vertical" in text
    assert "Un taux montre son dénominateur" in text


def _harvested(etd: Etd, resources: list[dict[str, Any]]) -> HarvestedDataset:
    source = HarvestSource.objects.create(
        name="Portail", kind="ckan", url="https://exemple.org/", owner=etd.territory
    )
    publisher = Publisher.objects.create(source=source, remote_id="r", name="Rennes", territory=etd.territory)
    return HarvestedDataset.objects.create(
        source=source, remote_id="air", title="Air moissonné", publisher=publisher, resources=resources
    )


def test_a_harvested_resource_is_read_through_the_guard_and_charted(
    etd_client: Client, etd: Etd, board: Dashboard
) -> None:
    body = csv_of(HEADER, ROWS)

    def answer(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return (200, {"Content-Type": "text/csv"}, body) if path == "/air.csv" else (404, {}, b"")

    with serving(answer) as base:
        harvested = _harvested(etd, [{"url": f"{base}/air.csv", "format": "csv", "title": "air.csv"}])
        response = etd_client.post(builder(board, "graphiques/nouveau/"), chart_post(f"h:{harvested.pk}:0"))
    assert response.status_code == 302, response.content.decode()[:2000]
    chart = Chart.objects.get()
    assert chart.copy is not None and chart.copy.rows == len(ROWS)
    page = Client().get(board.get_absolute_url()).content.decode()
    assert "Air moissonné" in page and "air.csv" in page


def test_an_unreadable_resource_gets_a_french_message_and_nothing_stored_is_lost(
    etd_client: Client, etd: Etd, board: Dashboard
) -> None:
    body = csv_of(HEADER, ROWS)
    state = {"up": True}

    def answer(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return (200, {}, body) if state["up"] else (404, {}, b"gone")

    with serving(answer) as base:
        harvested = _harvested(etd, [{"url": f"{base}/air.csv", "format": "csv", "title": "air.csv"}])
        url = builder(board, "graphiques/nouveau/")
        assert etd_client.post(url, chart_post(f"h:{harvested.pk}:0")).status_code == 302
        chart = Chart.objects.get()
        kept = chart.copy
        state["up"] = False
        edit = builder(board, f"graphiques/{chart.pk}/")
        response = etd_client.post(
            edit, chart_post(f"h:{harvested.pk}:0", action="relire", title="Nouveau titre")
        )
    text = response.content.decode()
    assert response.status_code == 400
    assert (
        "La ressource « air.csv »" in text
        and "n&#x27;a pas pu être lue : la ressource est introuvable (code HTTP 404)" in text
    )
    assert "ce qui l'était déjà est conservé" in text
    chart.refresh_from_db()
    assert chart.copy == kept and chart.title == "Valeurs par quartier"
    assert ResourceCopy.objects.count() == 1
    # The public page still draws it from the stored copy.
    assert "Valeurs par quartier" in Client().get(board.get_absolute_url()).content.decode()


def test_a_resource_that_is_not_a_table_is_refused_in_french(
    etd_client: Client, etd: Etd, board: Dashboard
) -> None:
    def answer(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, b"\x00\x01\x02 binaire"

    with serving(answer) as base:
        harvested = _harvested(etd, [{"url": f"{base}/x.csv", "format": "csv", "title": "x.csv"}])
        response = etd_client.post(builder(board, "graphiques/nouveau/"), chart_post(f"h:{harvested.pk}:0"))
    assert response.status_code == 400
    assert "n&#x27;a pas pu être lue" in response.content.decode()
    assert not Chart.objects.exists()


def test_the_public_page_follows_the_kits_outline_with_every_figures_source(
    client: Client, chart: Chart, board: Dashboard
) -> None:
    text = client.get(board.get_absolute_url()).content.decode()
    positions = [
        text.index(h) for h in ("Le dispositif</h2>", "Les données partagées</h2>", "Les résultats</h2>")
    ]
    assert positions == sorted(positions)
    assert "Qualité de l&#x27;air" in text and "version 1" in text
    assert "Somme des valeurs relevées." in text
    assert "n (lignes)" in text
    assert f"/tableaux-de-bord/{board.slug}/graphiques/{chart.pk}/lignes.csv?valeur=Nord" in text
    assert 'data-testid="chart-svg"' in text


def test_a_saved_chart_is_checked_again_on_render(client: Client, chart: Chart, board: Dashboard) -> None:
    Chart.objects.filter(pk=chart.pk).update(y_min=10)
    text = client.get(board.get_absolute_url()).content.decode()
    assert "Un diagramme en barres commence à zéro" in text
    assert 'data-testid="chart-svg"' not in text
    assert 'data-testid="figures"' in text  # the figures stay


def test_the_embed_may_be_framed_sets_no_cookie_and_runs_no_script(
    etd_client: Client, chart: Chart, board: Dashboard
) -> None:
    response = etd_client.get(f"/tableaux-de-bord/{board.slug}/integrer/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "Set-Cookie" not in str(response.cookies) and not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert "<script" not in response.content.decode()
    # Every other page keeps its protection.
    assert Client().get(board.get_absolute_url()).get("X-Frame-Options") == "DENY"


def test_a_private_dashboard_is_nobodys_public_page(client: Client, chart: Chart, board: Dashboard) -> None:
    Dashboard.objects.filter(pk=board.pk).update(public=False)
    assert client.get(board.get_absolute_url()).status_code == 404
    assert client.get(f"/tableaux-de-bord/{board.slug}/integrer/").status_code == 404
    assert client.get(f"/tableaux-de-bord/{board.slug}/graphiques/{chart.pk}/lignes.csv").status_code == 404


def test_the_exports_give_the_figures_and_stream_the_raw_rows(
    client: Client, chart: Chart, board: Dashboard
) -> None:
    figures = client.get(f"/tableaux-de-bord/{board.slug}/graphiques/{chart.pk}/chiffres.csv")
    text = figures.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("quartier;méthode;Somme de « valeur »;n;source;date de la source")
    assert "Centre;;52.5;3;" in text
    raw = client.get(f"/tableaux-de-bord/{board.slug}/graphiques/{chart.pk}/lignes.csv?valeur=Nord")
    assert raw.streaming
    rows = b"".join(raw.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 3 and "'=HYPERLINK" in rows[2]


def test_another_atd_may_not_open_the_builder(etd: Etd, board: Dashboard) -> None:
    other = Client()
    other.force_login(personas.atd_agent("bob", territory=("departement", "22")))
    assert other.get(builder(board)).status_code == 403


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)


def test_the_lists_run_as_many_queries_for_3n_rows_as_for_n(
    atd_client: Client, etd: Etd, air: Dataset, board: Dashboard
) -> None:
    from odl.dashboards.models import Kind

    n = 3
    made = iter(range(1000))

    def grow(count: int) -> None:
        for _ in range(count):
            i = next(made)
            other = Dataset.objects.create(etd=etd, schema_name="subventions", title=f"Jeu {i}")
            publish(other, csv_of(HEADER, ROWS[:2]), known("subventions"), by=None, valid=True)
            Dashboard.objects.create(atd=etd.atd, etd=etd if i % 2 else None, title=f"T{i}", slug=f"t{i}")
            Chart.objects.create(
                dashboard=board,
                title=f"c{i}",
                dataset=air,
                breakdown_column="quartier",
                kind=Kind.BAR,
                method="m",
            )

    atd = etd.atd
    urls = [
        f"/suivi/{atd.slug}/tableaux-de-bord/",
        f"/suivi/{atd.slug}/etd/{etd.pk}/tableaux-de-bord/",
        builder(board),
        builder(board, "graphiques/nouveau/"),
        board.get_absolute_url(),
        f"/tableaux-de-bord/{board.slug}/integrer/",
    ]
    grow(n)
    few = [_queries(atd_client, url) for url in urls]
    grow(2 * n)
    many = [_queries(atd_client, url) for url in urls]
    assert many == few, list(zip(urls, few, many, strict=True))


def test_the_atds_team_builds_a_dashboard_of_its_own_from_its_sub_menu(
    atd_client: Client, etd: Etd, air: Dataset
) -> None:
    atd = etd.atd
    board_page = atd_client.get(f"/suivi/{atd.slug}/").content.decode()
    assert f'href="/suivi/{atd.slug}/tableaux-de-bord/"' in board_page
    response = atd_client.post(f"/suivi/{atd.slug}/tableaux-de-bord/", {"title": "Le réseau", "public": "on"})
    board = Dashboard.objects.get()
    assert board.etd is None and response["Location"] == f"/suivi/{atd.slug}/tableaux-de-bord/{board.pk}/"
    # The ATD's form offers every collectivité's published datasets.
    form = atd_client.get(
        f"/suivi/{atd.slug}/tableaux-de-bord/{board.pk}/graphiques/nouveau/"
    ).content.decode()
    assert f'value="p:{air.pk}"' in form
    # A collectivité's dashboard is not reached under the ATD.
    other = Dashboard.objects.create(atd=atd, etd=etd, title="R", slug="r")
    assert atd_client.get(f"/suivi/{atd.slug}/tableaux-de-bord/{other.pk}/").status_code == 404


def test_a_change_of_method_draws_two_series_that_are_not_joined(
    client: Client, board: Dashboard, air: Dataset
) -> None:
    Chart.objects.create(
        dashboard=board,
        title="Taux par année",
        dataset=air,
        measure="rate",
        value_column="depassements",
        denominator_column="mesures",
        breakdown_column="annee",
        breakdown="year",
        kind="line",
        method_column="methode",
        method="Part des mesures en dépassement.",
    )
    text = client.get(board.get_absolute_url()).content.decode()
    assert text.count('data-testid="series"') == 2
    assert "Méthode « capteur A »" in text and "Méthode « capteur B »" in text
    assert "Un changement de méthode coupe la série" in text
    assert "<td>capteur A</td>" in text and "Dénominateur" in text
    # 2021: (2 + 1) / (10 + 10); 2023 with the new sensor: 10 / 40 (the row without a count is left out).
    assert ">15\u202f%<" in text and ">25\u202f%<" in text


def test_a_harvested_spreadsheet_is_read_too(etd_client: Client, etd: Etd, board: Dashboard) -> None:
    from odl.core.exports import to_xlsx

    body = to_xlsx(HEADER, ROWS)

    def answer(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, body

    with serving(answer) as base:
        harvested = _harvested(etd, [{"url": f"{base}/air.xlsx", "format": "XLSX", "title": "air.xlsx"}])
        response = etd_client.post(builder(board, "graphiques/nouveau/"), chart_post(f"h:{harvested.pk}:0"))
    assert response.status_code == 302
    assert Chart.objects.get().copy.header == HEADER  # type: ignore[union-attr]


def test_odl_purge_removes_the_copies_no_chart_uses(chart: Chart, etd: Etd) -> None:
    import datetime as dt

    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.utils import timezone

    harvested = _harvested(etd, [])
    old = timezone.now() - dt.timedelta(days=3)
    copies = []
    for name in ("used", "unused", "recent"):
        copy = ResourceCopy(
            harvested=harvested, url=f"https://exemple.org/{name}.csv", sha256=name, fetched_at=old
        )
        copy.file.save(f"{name}.csv", ContentFile(b"a\n1\n"), save=False)
        copy.save()
        copies.append(copy)
    ResourceCopy.objects.filter(pk=copies[2].pk).update(fetched_at=timezone.now())
    Chart.objects.filter(pk=chart.pk).update(dataset=None, copy=copies[0])
    line = apps.get_app_config("dashboards").purge_expired(timezone.now(), 30)
    assert line.startswith("1 copie(s)")
    assert set(ResourceCopy.objects.values_list("sha256", flat=True)) == {"used", "recent"}


def test_a_deleted_source_leaves_the_chart_saying_it_has_none(
    client: Client, chart: Chart, board: Dashboard
) -> None:
    Dataset.objects.filter(pk=chart.dataset_id).delete()
    chart.refresh_from_db()
    assert chart.dataset is None
    text = client.get(board.get_absolute_url()).content.decode()
    assert "Ce graphique n&#x27;a pas de source" in text


def test_the_drawing_uses_svg_numbers_not_french_ones(client: Client, chart: Chart, board: Dashboard) -> None:
    import re

    text = client.get(board.get_absolute_url()).content.decode()
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert re.search(r'<rect x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[0-9.]+"', svg)
    assert not re.search(r'="\d+,\d+"', svg)


def test_rows_without_a_year_stay_off_the_time_axis(client: Client, board: Dashboard, air: Dataset) -> None:
    Chart.objects.create(
        dashboard=board,
        title="Relevés par année",
        dataset=air,
        breakdown_column="annee",
        breakdown="year",
        kind="line",
        method="Nombre de relevés.",
    )
    text = client.get(board.get_absolute_url()).content.decode()
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count("<circle") == 3 and "(date illisible)" not in svg
    assert '<th scope="row">(date illisible)</th>' in text


def test_the_collectivites_page_links_to_its_dashboards(etd_client: Client, etd: Etd) -> None:
    page = etd_client.get(f"/suivi/{etd.atd.slug}/etd/{etd.pk}/").content.decode()
    assert f'href="/suivi/{etd.atd.slug}/etd/{etd.pk}/tableaux-de-bord/"' in page


def test_the_embed_of_one_chart_shows_that_chart_only(
    client: Client, chart: Chart, board: Dashboard, air: Dataset
) -> None:
    Chart.objects.create(dashboard=board, title="Autre", dataset=air, breakdown_column="quartier", method="m")
    text = client.get(f"/tableaux-de-bord/{board.slug}/integrer/?graphique={chart.pk}").content.decode()
    assert text.count('data-testid="chart"') == 1 and "Mesures par quartier" in text


def test_an_incomplete_chart_names_its_fields_to_correct_and_the_rules_it_already_breaks(
    etd_client: Client, board: Dashboard, air: Dataset
) -> None:
    data = chart_post(f"p:{air.pk}", y_min="50", second_axis="on", breakdown_column="", method="")
    text = etd_client.post(builder(board, "graphiques/nouveau/"), data).content.decode()
    assert "2 champs à corriger : Ventilation par la colonne, Méthode." in text
    assert "Un diagramme en barres commence à zéro" in text and "Pas de second axe vertical" in text
    assert not Chart.objects.exists()
