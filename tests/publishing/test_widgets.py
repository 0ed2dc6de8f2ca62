"""The widget for the collectivité's website: an iframe page any site may frame, with no cookie, that
escapes what cells hold, searches, filters and pages on the server, and answers 404 (still framable) for
what is not public; and the snippet generator of the data space."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from odl.publishing.models import Dataset
from odl.publishing.versions import publish
from odl.schemas.registry import known
from tests.publishing.conftest import space
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

pytestmark = pytest.mark.django_db


def _table(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUB_HEADER)
    for change in rows:
        base = dict(zip(SUB_HEADER, SUB_GOOD, strict=True))
        base.update(change)
        writer.writerow([base[h] for h in SUB_HEADER])
    return out.getvalue().encode()


def _publish(dataset: Dataset, rows: list[dict[str, str]]) -> None:
    publish(dataset, _table(rows), known("subventions"), by=None, valid=True)
    dataset.refresh_from_db()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def published(dataset: Dataset) -> Dataset:
    _publish(
        dataset,
        [
            {
                "nomBeneficiaire": f"Association {i}",
                "objet": f"Projet {i}",
                "montant": str(100 * i),
                "nature": "aide en nature" if i % 3 == 0 else "aide en numéraire",
            }
            for i in range(1, 46)
        ],
    )
    return dataset


def _widget(dataset: Dataset, query: str = "", client: Client | None = None, **headers: str) -> Any:
    return (client or Client()).get(f"/donnees/{dataset.pk}/widget/{query}", headers=headers)


def test_the_widget_may_be_framed_anywhere_sets_no_cookie_and_may_be_cached(published: Dataset) -> None:
    response = _widget(published)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "script-src 'self'" in csp
    assert not response.cookies
    assert "Set-Cookie" not in response
    # Nothing read the session: a shared cache needs no Vary on the visitor's cookies.
    assert "Cookie" not in response.get("Vary", "")
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["ETag"] and response["Last-Modified"]
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "<script" not in html  # no map asked: no script at all
    # The rest of the platform still refuses to be framed.
    public = Client().get(f"/donnees/{published.pk}/")
    assert public["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"]


def test_a_signed_in_agent_gets_the_same_page_without_a_cookie(
    published: Dataset, etd_client: Client
) -> None:
    response = _widget(published, client=etd_client)
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


@pytest.fixture(params=[False, True], ids=["database", "stamps"])
def stamps(request: pytest.FixtureRequest, settings: Any) -> bool:
    """Both ways of knowing a dataset's state: read each time, or kept in a shared cache."""
    settings.PUBLISHING_WIDGET_STAMPS = request.param
    return bool(request.param)


def test_the_etag_answers_not_modified_until_a_new_version(published: Dataset, stamps: bool) -> None:
    first = _widget(published)
    again = Client().get(f"/donnees/{published.pk}/widget/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    _publish(published, [{"nomBeneficiaire": "Nouvelle association"}])
    fresh = Client().get(f"/donnees/{published.pk}/widget/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert fresh["ETag"] != first["ETag"]
    assert "Nouvelle association" in fresh.content.decode()


def test_the_table_is_accessible_and_paged_on_the_server(published: Dataset) -> None:
    html = _widget(published, "?colonnes=nomBeneficiaire,montant").content.decode()
    assert "<caption>Subventions 2024 : lignes 1 à 20 sur 45 (page 1 sur 3)</caption>" in html
    assert html.count('<th scope="col"') == 2
    assert '<label for="widget-q">Rechercher</label>' in html
    assert 'href="?colonnes=nomBeneficiaire%2Cmontant&amp;page=2"' in html
    page3 = _widget(published, "?colonnes=nomBeneficiaire,montant&page=3").content.decode()
    assert "Association 45" in page3 and "Association 1<" not in page3
    assert "objet" not in page3.split("<table", 1)[1]


def test_search_and_filter_are_done_on_the_server(published: Dataset) -> None:
    html = _widget(published, "?q=association+4").content.decode()
    assert "7 lignes sur 45" in html  # 4 and 40 to 45
    # Accents and case do not matter; the filter keeps its value, the search form carries the options.
    html = _widget(published, "?filtre=nature&valeur=AIDE+EN+NATURE").content.decode()
    assert "15 lignes sur 45" in html
    assert '<input type="hidden" name="filtre" value="nature">' in html
    assert '<input type="hidden" name="valeur" value="AIDE EN NATURE">' in html


def test_unknown_options_are_said_in_french_and_ignored(published: Dataset) -> None:
    response = _widget(published, "?colonnes=inconnue,montant&graphique=objet&par=nature&lignes=7&page=abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Colonne « inconnue » inconnue dans ce jeu : elle est ignorée." in html
    assert "Graphique : « objet » n&#x27;est pas une colonne possible" in html
    assert "Lignes par page : 10, 20, 50, 100" in html
    assert "Carte : ce schéma n&#x27;a pas de coordonnées" in _widget(published, "?carte=1").content.decode()


def test_the_chart_sums_a_number_by_category(published: Dataset) -> None:
    html = _widget(published, "?graphique=montant&par=nature").content.decode()
    assert 'data-testid="widget-chart"' in html
    in_kind = sum(100 * i for i in range(1, 46) if i % 3 == 0)
    cash = sum(100 * i for i in range(1, 46)) - in_kind
    assert f'<th scope="row">aide en numéraire</th><td class="number">{cash:,}'.replace(",", "\u202f") in html
    assert f'<th scope="row">aide en nature</th><td class="number">{in_kind:,}'.replace(",", "\u202f") in html
    assert "<script" not in html  # the chart is SVG drawn on the server


def test_html_in_a_cell_is_shown_as_text(dataset: Dataset) -> None:
    _publish(
        dataset,
        [{"nomBeneficiaire": '<script>alert("x")</script>', "objet": '<img src=x onerror="alert(1)">'}],
    )
    html = _widget(dataset, "?graphique=montant&par=nomBeneficiaire").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_private_unpublished_and_deleted_datasets_answer_a_framable_404(
    published: Dataset, dataset: Dataset, stamps: bool
) -> None:
    never = Dataset.objects.create(etd=published.etd, schema_name="subventions", title="Jamais publié")
    private = Dataset.objects.create(
        etd=published.etd, schema_name="subventions", title="Privé", public=False
    )
    _publish(private, [{}])
    gone = Dataset.objects.create(etd=published.etd, schema_name="subventions", title="Supprimé")
    _publish(gone, [{}])
    gone_pk = gone.pk
    gone.delete()
    for pk in (never.pk, private.pk, gone_pk, 999999):
        response = Client().get(f"/donnees/{pk}/widget/")
        assert response.status_code == 404, pk
        assert "Données indisponibles" in response.content.decode()
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
    # A dataset made private after being shown: its widget closes at once, the cache notwithstanding.
    assert _widget(published).status_code == 200
    published.public = False
    published.save()
    assert _widget(published).status_code == 404


def test_a_post_is_refused(published: Dataset) -> None:
    assert Client().post(f"/donnees/{published.pk}/widget/").status_code == 405


def test_the_generator_gives_the_iframe_to_copy_and_a_preview(
    published: Dataset, etd_client: Client, settings: Any
) -> None:
    settings.SITE_URL = "https://odl.example.fr"
    page = etd_client.get(
        space(
            published,
            "widget/?colonne=nomBeneficiaire&colonne=montant&filtre=nature&valeur=aide+en+nature"
            "&graphique=montant&par=nomBeneficiaire&lignes=10",
        )
    )
    assert page.status_code == 200
    html = page.content.decode()
    query = "colonnes=nomBeneficiaire%2Cmontant&amp;filtre=nature&amp;valeur=aide+en+nature&amp;graphique=montant&amp;par=nomBeneficiaire&amp;lignes=10"
    # The textarea holds the code escaped once: what the agent copies is the plain iframe.
    assert (
        f"https://odl.example.fr/donnees/{published.pk}/widget/?{query.replace('&amp;', '&amp;amp;')}" in html
    )
    assert '<label for="w-code">' in html and "readonly" in html
    assert f'src="/donnees/{published.pk}/widget/?{query}"' in html
    assert 'title="Aperçu du widget : Subventions 2024"' in html
    space_page = etd_client.get(space(published)).content.decode()
    assert "Widget pour le site de la collectivité" in space_page


def test_the_generator_warns_when_the_dataset_is_not_public(dataset: Dataset, etd_client: Client) -> None:
    html = etd_client.get(space(dataset, "widget/")).content.decode()
    assert "Ce jeu n'est pas encore publié" in html
    _publish(dataset, [{}])
    dataset.public = False
    dataset.save()
    html = etd_client.get(space(dataset, "widget/")).content.decode()
    assert "le widget affichera « Données indisponibles »" in html


def test_a_schema_with_coordinates_gets_a_map_from_static_scripts(etd: Any) -> None:
    import json
    import re

    schema = known("equipements")
    dataset = Dataset.objects.create(etd=etd, schema_name="equipements", title="Équipements")
    header = schema.field_names
    row = dict.fromkeys(header, "")
    row.update(
        {"COLL_NOM": "Rennes", "EQUIP_NOM": "<b>Piscine</b>", "EQUIP_LAT": "48.11", "EQUIP_LONG": "-1.68"}
    )
    body = (",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n").encode()
    publish(dataset, body, schema, by=None, valid=True)
    html = Client().get(f"/donnees/{dataset.pk}/widget/?carte=1").content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [
        ' id="widget-map-config" type="application/json"',
        ' src="/static/vendor/leaflet/leaflet.js"',
        ' src="/static/odl/widget-map.js"',
    ]
    config = json.loads(
        re.search(r'id="widget-map-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["points"] == [[48.11, -1.68, "<b>Piscine</b>"]]
    assert "<b>Piscine</b>" not in html  # json_script writes it \u003Cb\u003E; the map shows it as text


def test_the_widget_costs_one_query_whatever_the_rows(
    published: Dataset, django_assert_num_queries: Any
) -> None:
    # Rendered (cache empty) or kept, the page reads the dataset and its latest version in one query;
    # rows come from the version's file, never from one query each.
    with django_assert_num_queries(1):
        assert _widget(published, "?graphique=montant&par=nature&lignes=100").status_code == 200
    with django_assert_num_queries(1):
        assert _widget(published, "?graphique=montant&par=nature&lignes=100").status_code == 200
    with django_assert_num_queries(1):
        assert _widget(published, "?q=inconnu").status_code == 200


@pytest.fixture
def shared(settings: Any) -> None:
    settings.PUBLISHING_WIDGET_STAMPS = True


QUERY = "?graphique=montant&par=nature"


def _revalidate(dataset_pk: int, etag: str) -> Any:
    return Client().get(f"/donnees/{dataset_pk}/widget/{QUERY}", HTTP_IF_NONE_MATCH=etag)


def test_with_a_shared_cache_a_kept_page_and_a_304_read_no_database(
    published: Dataset, shared: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        first = _widget(published, QUERY)
    with django_assert_num_queries(0):
        kept = _widget(published, QUERY)
    assert kept.content == first.content and kept["ETag"] == first["ETag"]
    assert kept["Last-Modified"] == first["Last-Modified"]
    with django_assert_num_queries(0):
        assert _revalidate(published.pk, first["ETag"]).status_code == 304
    # Another search: rendered from the database's own state (one query), the state itself was kept.
    with django_assert_num_queries(1):
        assert _widget(published, QUERY + "&q=association").status_code == 200


def test_with_a_shared_cache_every_change_is_seen_at_the_next_visit(published: Dataset, shared: None) -> None:
    first = _widget(published, QUERY)
    _publish(published, [{"nomBeneficiaire": "Association nouvelle"}])
    fresh = _widget(published, QUERY)
    assert "Association nouvelle" in fresh.content.decode() and fresh["ETag"] != first["ETag"]
    assert _revalidate(published.pk, first["ETag"]).status_code == 200
    published.title = "Subventions renommées"
    published.save()
    assert "Subventions renommées" in _widget(published, QUERY).content.decode()
    published.public = False
    published.save()
    assert _widget(published, QUERY).status_code == 404
    assert _revalidate(published.pk, fresh["ETag"]).status_code == 404
    published.public = True
    published.save()
    assert _widget(published, QUERY).status_code == 200
    pk = published.pk
    published.delete()
    assert Client().get(f"/donnees/{pk}/widget/{QUERY}").status_code == 404


def test_a_kept_state_is_checked_against_the_database_before_rendering(
    published: Dataset, shared: None
) -> None:
    # A change that no signal saw (a bulk update): a page not yet kept is rendered only after the
    # database said the dataset is still shown.
    assert _widget(published, QUERY).status_code == 200
    Dataset.objects.filter(pk=published.pk).update(public=False)
    assert _widget(published, QUERY + "&page=2").status_code == 404
    assert _widget(published, QUERY).status_code == 404  # the state was renewed on the way


def test_a_change_renews_the_state_again_once_committed(
    published: Dataset, shared: None, django_capture_on_commit_callbacks: Any
) -> None:
    from odl.publishing import widgets

    assert _widget(published).status_code == 200
    before = cache.get(widgets._generation_key(published.pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published.public = False
        published.save()
        during = cache.get(widgets._generation_key(published.pk))
        # A visitor reading now sees the uncommitted state under this generation, never after commit.
        assert during != before
    assert callbacks and cache.get(widgets._generation_key(published.pk)) not in (before, during)
    assert _widget(published).status_code == 404
