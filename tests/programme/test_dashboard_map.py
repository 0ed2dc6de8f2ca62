"""The map of the ATD's dashboard: its ETDs, their publication state from the latest snapshot and their step,
in the payload the map draws and in the table that stands for it without JavaScript."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from odl.observatory import shape_geometry, shapes
from odl.observatory.models import SnapshotEntry
from odl.programme import dashboard
from tests.programme.dashboards_fixtures import Followed, followed_atd


@pytest.fixture
def followed(atd_agent: Any) -> Followed:
    result = followed_atd(atd_agent)
    # Pacé publishes without any SCDL schema: the middle state of the legend.
    pace = result.etds["35206"].territory
    SnapshotEntry.objects.create(
        snapshot=result.snapshot, territory=pace, siren=pace.siren, nom=pace.nom, datasets_count=2
    )
    return result


@pytest.fixture
def package() -> None:
    if not (shapes.package_dir() / "package.json").is_file():
        pytest.skip("paquet npm @gouvfr/dsfr-chart absent : lancez « make install »")


@pytest.fixture
def no_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shapes' package missing (an install without ``npm ci``): the loader says so in French."""

    def missing() -> None:
        raise shapes.ShapesUnavailable("Formes des départements indisponibles : paquet absent.")

    monkeypatch.setattr(shape_geometry, "departement_outlines", missing)


def map_data(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="etd-map-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the dashboard carries no map payload"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_the_map_payload_holds_every_active_etd_with_its_state_and_step(
    atd_client: Client, followed: Followed
) -> None:
    html = atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug])).content.decode()
    data = map_data(html)
    etds = {e["code"]: e for e in data["etds"]}
    assert set(etds) == {"35238", "35047", "35206"}  # Betton abandoned: not on the map
    assert (etds["35238"]["state"], etds["35238"]["step"]) == ("scdl", "publiee")
    assert etds["35238"]["schemas"] == ["scdl/subventions"] and etds["35238"]["datasets"] == 7
    assert (etds["35206"]["state"], etds["35206"]["step"]) == ("publie", "convention_signee")
    assert (etds["35047"]["state"], etds["35047"]["step"]) == ("pas_encore", "contactee")
    assert etds["35047"]["step_number"] == 2 and etds["35047"]["state_label"] == "ne publie pas encore"
    assert etds["35238"]["url"] == reverse("territories:detail", args=["commune", "35238"])
    assert etds["35238"]["etd_url"] == followed.etds["35238"].get_absolute_url()
    assert data["snapshot"]["date"] == followed.snapshot.date.isoformat()
    # The offline grid: the tile of Ille-et-Vilaine is where the three ETDs go, no background tiles.
    assert [c["code"] for c in data["cells"]] == ["35"]
    assert data["synced"] is False and "LAYER" in data["contours_url"]
    assert [s["key"] for s in data["states"]] == ["scdl", "publie", "pas_encore"]
    assert "tile.openstreetmap" not in html and "vendor/leaflet/leaflet.js" in html
    assert "odl/programme-etd-map.js" in html


def test_the_state_follows_the_latest_snapshot_only(atd_client: Client, followed: Followed) -> None:
    later = followed.snapshot.__class__.objects.create(
        date=followed.snapshot.date.replace(year=followed.snapshot.date.year + 1), label="Plus tard"
    )
    bruz = followed.etds["35047"].territory
    SnapshotEntry.objects.create(
        snapshot=later, territory=bruz, siren=bruz.siren, nom=bruz.nom, schemas=["scdl/deliberations"]
    )
    data = dashboard.map_payload(followed.atd, dashboard.publication(followed.atd), synced=False)
    states = {e["code"]: e["state"] for e in data["etds"]}
    # Rennes is not in the newer snapshot: it no longer counts as publishing there.
    assert states == {"35238": "pas_encore", "35047": "scdl", "35206": "pas_encore"}
    assert data["snapshot"]["label"] == "Plus tard"


def test_without_javascript_the_table_shows_every_etd_state_step_and_links(
    atd_client: Client, followed: Followed
) -> None:
    html = unescape(atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug])).content.decode())
    table = html[html.index('data-testid="publication-table"') :]
    table = table[: table.index("</table>")]
    rows = dict(
        re.findall(r'data-etd="\d+" data-state="(\w+)"><th scope="row"><a href="[^"]+">([^<]+)<', table)
    )
    assert rows == {"scdl": "Rennes", "publie": "Pacé", "pas_encore": "Bruz"}
    assert (
        "Ille-et-Vilaine (35)" in table and "Convention signée" in table and "publie des jeux SCDL" in table
    )
    assert reverse("territories:detail", args=["commune", "35047"]) in table
    assert followed.etds["35047"].get_absolute_url() in table
    assert 'aria-label="Légende : état de publication"' in html
    assert "La carte demande JavaScript" in html  # what a visitor without JS reads in the map's place


def test_the_map_draws_the_real_shape_of_each_departement_with_every_etd_inside_it(
    atd_client: Client, followed: Followed, package: None
) -> None:
    html = unescape(atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug])).content.decode())
    data = map_data(html)
    assert [s["code"] for s in data["shapes"]] == ["35"]
    shape = data["shapes"][0]
    assert shape["nom"] == "Ille-et-Vilaine" and shape["rings"] and len(shape["rings"][0]) > 20
    assert data["shapes_source"] == {"package": "@gouvfr/dsfr-chart", "version": "2.0.4", "licence": "MIT"}
    x0, y0, x1, y1 = shape["bbox"]
    assert x0 <= shape["label"][0] <= x1 and y0 <= shape["label"][1] <= y1
    outline = [[(x, y) for x, y in ring] for ring in shape["rings"]]
    points = [tuple(e["point"]) for e in data["etds"]]
    assert len(set(points)) == 3  # one distinct place per ETD, all inside Ille-et-Vilaine
    for x, y in points:
        assert x0 <= x <= x1 and y0 <= y <= y1
        assert shape_geometry.contains(outline, (x, y))
    # The same payload twice gives the same places: the spread is deterministic.
    assert (
        map_data(atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug])).content.decode())[
            "etds"
        ]
        == data["etds"]
    )
    assert "@gouvfr/dsfr-chart 2.0.4 (licence MIT, Système de Design de l'État)" in html
    assert [c["code"] for c in data["cells"]] == ["35"]  # the grid stays in the payload as the fallback


def test_each_etd_sits_inside_its_own_departement_and_a_com_keeps_the_grid(
    followed: Followed, package: None
) -> None:
    from odl.programme.models import Etd
    from odl.territories.models import Territory

    def follow(code: str) -> None:
        territory = Territory.objects.filter(kind="commune", code=code).order_by("pk").first()
        assert territory is not None, code
        Etd.objects.create(atd=followed.atd, territory=territory)

    follow("22278")  # Saint-Brieuc, Côtes-d'Armor
    follow("2A004")  # Ajaccio, Corse-du-Sud
    data = dashboard.map_payload(followed.atd, dashboard.publication(followed.atd), synced=False)
    boxes = {s["code"]: s["bbox"] for s in data["shapes"]}
    assert set(boxes) == {"22", "2A", "35"}
    for etd in data["etds"]:
        x0, y0, x1, y1 = boxes[etd["departement"]]
        assert x0 <= etd["point"][0] <= x1 and y0 <= etd["point"][1] <= y1, etd["nom"]
    # A collectivité d'outre-mer has no shape in the package: the whole map keeps the grid, where it has a tile.
    com = Territory.objects.filter(kind="commune", departement_code="975").order_by("pk").first()
    assert com is not None
    Etd.objects.create(atd=followed.atd, territory=com)
    data = dashboard.map_payload(followed.atd, dashboard.publication(followed.atd), synced=False)
    assert data["shapes"] == [] and "975" in [c["code"] for c in data["cells"]]


def test_without_the_shapes_package_the_map_keeps_the_grid(
    atd_client: Client, followed: Followed, no_package: None
) -> None:
    html = unescape(atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug])).content.decode())
    data = map_data(html)
    assert data["shapes"] == [] and data["shapes_source"] is None
    assert [c["code"] for c in data["cells"]] == ["35"]
    assert all(e["point"] is None for e in data["etds"]) and len(data["etds"]) == 3
    assert "la carte est une grille" in html and "dsfr-chart" not in html


def test_with_synced_contours_the_map_asks_for_them(
    atd_client: Client, followed: Followed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("odl.observatory.geo.manifest", lambda: {"synced_at": "2026-01-01", "licence": "LO"})
    html = atd_client.get(reverse("programme:dashboard", args=[followed.atd.slug])).content.decode()
    assert map_data(html)["synced"] is True


def test_an_atd_without_etd_still_gets_its_departements_on_the_map(atd_agent: Any) -> None:
    from odl.atds.models import Atd

    atd = Atd.objects.get(memberships__user=atd_agent)
    data = dashboard.map_payload(atd, dashboard.publication(atd), synced=False)
    assert data["etds"] == [] and data["snapshot"] is None
    assert [c["code"] for c in data["cells"]] == ["35"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["shapes", "grid"])
def test_the_map_draws_one_marker_per_etd_offline_without_serious_axe_violations(
    live_server: Any, atd_client: Client, followed: Followed, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    from tests.browser import axe_violations, chromium_page

    if mode == "shapes" and not (shapes.package_dir() / "package.json").is_file():
        pytest.skip("paquet npm @gouvfr/dsfr-chart absent : lancez « make install »")
    if mode == "grid":
        monkeypatch.setattr(shape_geometry, "departement_outlines", lambda: {})

    cookie = atd_client.cookies["sessionid"]
    with chromium_page() as page:
        page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        # Offline: any request leaving the test server would be a third-party tile or script.
        outside: list[str] = []
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(live_server.url)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page.goto(f"{live_server.url}{reverse('programme:dashboard', args=[followed.atd.slug])}")
        page.wait_for_selector(f'#etd-map[data-ready="{mode}"]')
        markers = page.locator("#etd-map .etd-dot")
        assert markers.count() == 3
        assert page.locator("#etd-map .etd-dot.state-scdl").inner_text() == "5"  # Rennes, « publiée »
        assert "3 collectivités accompagnées sur la carte" in page.locator("#etd-map-status").inner_text()
        page.locator("#etd-map .etd-dot.state-publie").focus()
        page.keyboard.press("Enter")
        assert "Pacé" in page.locator(".leaflet-popup-content").inner_text()
        if mode == "shapes":
            # One drawn outline (Ille-et-Vilaine) under the markers, its licence in the attribution.
            assert page.locator("#etd-map .leaflet-overlay-pane path").count() == 1
            assert (
                "dsfr-chart 2.0.4 (licence MIT)"
                in page.locator("#etd-map .leaflet-control-attribution").inner_text()
            )
        assert outside == []
        assert axe_violations(page) == []
