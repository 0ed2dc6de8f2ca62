"""Widgets for the collectivité's website: a published dataset as an iframe page (a table with search
and pages, an optional bar chart or map) and the snippet generator of the data space.

The iframe page is one of the pages another site may frame (``odl.core.embedding``, like the embedded
dashboards): X-Frame-Options is lifted and the CSP's frame-ancestors is ``*`` for it alone. It sets no cookie and never reads the session or the
user (a visitor of the commune's site is nobody here), so a shared cache may keep it: the rendered page
is kept in Django's cache under the dataset, its latest version and the normalised query, and the answer
carries Cache-Control, an ETag and Last-Modified from the latest version.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.cache import get_conditional_response
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from odl.accounts.access import access
from odl.core.embedding import frameable, unread_session
from odl.core.text import fold
from odl.publishing import services, versions, views
from odl.publishing.models import Dataset, DatasetVersion
from odl.schemas.registry import Schema, SchemaNotFound

# Bump when the template or the options change: pages kept in a cache are then rendered again.
RENDER_VERSION = "1"
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20
CHART_BARS = 12
MAP_POINTS = 2000
CACHE_SECONDS = 600
BROWSER_SECONDS = 300
# Parsed tables of the last versions shown, by version: a version never changes, so no invalidation.
_TABLES: OrderedDict[tuple[int, str], versions.Table] = OrderedDict()
_TABLES_LOCK = threading.Lock()
_TABLES_KEPT = 16


@dataclass(frozen=True)
class Options:
    """What a snippet asks for, checked against the dataset's columns (unknown names are reported)."""

    columns: tuple[str, ...] = ()
    q: str = ""
    filter_column: str = ""
    filter_value: str = ""
    chart_value: str = ""
    chart_by: str = ""
    map: bool = False
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE
    notes: tuple[str, ...] = field(default=(), compare=False)

    def query(self, **change: Any) -> str:
        """The query string of these options (page and search changed as asked), stable for the cache."""
        values = {
            "colonnes": ",".join(self.columns),
            "q": self.q,
            "filtre": self.filter_column,
            "valeur": self.filter_value if self.filter_column else "",
            "graphique": self.chart_value,
            "par": self.chart_by if self.chart_value else "",
            "carte": "1" if self.map else "",
            "lignes": str(self.size) if self.size != DEFAULT_PAGE_SIZE else "",
            "page": str(self.page) if self.page != 1 else "",
        }
        values.update({k: str(v) for k, v in change.items()})
        if values.get("page") == "1":
            values["page"] = ""
        return urlencode([(k, v) for k, v in values.items() if v])

    def hidden(self) -> list[tuple[str, str]]:
        """The options a search form carries along (everything but the search and the page)."""
        pairs = [(k, v) for k, v in _pairs(self.query(q="", page="")) if k not in ("q", "page")]
        return pairs


def _pairs(query: str) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in QueryDict(query).items()]


def numeric_fields(schema: Schema) -> list[str]:
    return [
        f["name"] for f in schema.table_schema.get("fields", []) if f.get("type") in ("number", "integer")
    ]


def category_fields(schema: Schema) -> list[str]:
    return [
        f["name"]
        for f in schema.table_schema.get("fields", [])
        if f.get("type", "string") in ("string", "boolean", "year")
        and f.get("format") not in ("uri", "email")
    ]


def parse_options(params: QueryDict, header: list[str], schema: Schema) -> Options:
    """Read the snippet's query. A name that is not a column is left out, with a French note saying so."""
    notes: list[str] = []
    known = set(header)
    columns: list[str] = []
    for name in (c.strip() for c in params.get("colonnes", "").split(",")):
        if not name:
            continue
        if name in known and name not in columns:
            columns.append(name)
        elif name not in known:
            notes.append(f"Colonne « {name[:60]} » inconnue dans ce jeu : elle est ignorée.")

    def column(key: str, allowed: list[str] | set[str], what: str) -> str:
        name = params.get(key, "").strip()
        if name and name not in allowed:
            notes.append(f"{what} : « {name[:60]} » n'est pas une colonne possible, l'option est ignorée.")
            return ""
        return name

    filter_column = column("filtre", known, "Filtre")
    if filter_column and not params.get("valeur", "").strip():
        notes.append(
            f"Filtre : aucune valeur donnée pour « {filter_column} » (valeur=…), le filtre est ignoré."
        )
        filter_column = ""
    chart_value = column("graphique", [n for n in numeric_fields(schema) if n in known], "Graphique")
    chart_by = column("par", [n for n in category_fields(schema) if n in known], "Graphique par")
    if chart_value and not chart_by:
        if params.get("par"):
            chart_value = ""
        else:
            notes.append("Graphique : choisissez aussi la colonne qui regroupe les lignes (par=…).")
            chart_value = ""
    wants_map = params.get("carte", "") in ("1", "oui", "true")
    if wants_map and services.coordinates(schema) is None:
        notes.append("Carte : ce schéma n'a pas de coordonnées, la carte n'est pas affichée.")
        wants_map = False
    raw_size = params.get("lignes", "")
    size = int(raw_size) if raw_size.isdigit() and int(raw_size) in PAGE_SIZES else DEFAULT_PAGE_SIZE
    if raw_size and size != int(raw_size or 0):
        notes.append(
            f"Lignes par page : {', '.join(map(str, PAGE_SIZES))} ; {DEFAULT_PAGE_SIZE} sont affichées."
        )
    raw_page = params.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10**6 else 1
    return Options(
        columns=tuple(columns),
        q=params.get("q", "").strip()[:200],
        filter_column=filter_column,
        filter_value=params.get("valeur", "").strip()[:200] if filter_column else "",
        chart_value=chart_value,
        chart_by=chart_by,
        map=wants_map,
        page=page,
        size=size,
        notes=tuple(notes),
    )


def table_of(version: DatasetVersion) -> versions.Table:
    key = (version.pk, version.sha256)
    with _TABLES_LOCK:
        if key in _TABLES:
            _TABLES.move_to_end(key)
            return _TABLES[key]
    table = versions.read_version(version)
    with _TABLES_LOCK:
        _TABLES[key] = table
        while len(_TABLES) > _TABLES_KEPT:
            _TABLES.popitem(last=False)
    return table


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace("\u202f", "").replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _french(number: Decimal) -> str:
    rounded = round(number, 2)
    text = f"{rounded:,.2f}".replace(",", "\u202f").replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


def chart_of(rows: list[list[str]], header: list[str], value: str, by: str) -> dict[str, Any]:
    """The sum of a numeric column per value of a category column, largest first (the rest grouped)."""
    vi, bi = header.index(value), header.index(by)
    sums: dict[str, Decimal] = {}
    for row in rows:
        number = _number(row[vi]) if vi < len(row) else None
        if number is None:
            continue
        label = (row[bi] if bi < len(row) else "").strip() or "(non renseigné)"
        sums[label] = sums.get(label, Decimal(0)) + number
    ordered = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
    if len(ordered) > CHART_BARS:
        rest = sum((v for _, v in ordered[CHART_BARS - 1 :]), Decimal(0))
        ordered = ordered[: CHART_BARS - 1] + [(f"{len(ordered) - CHART_BARS + 1} autres", rest)]
    top = max((abs(v) for _, v in ordered), default=Decimal(0))
    bars = []
    for i, (label, total) in enumerate(ordered):
        share = float(abs(total) / top) if top else 0.0
        bars.append(
            {
                "label": label,
                "value": _french(total),
                # SVG presentation attributes (not style): the CSP's style-src does not apply to them.
                "width": f"{max(share * 45, 0.5):.2f}",
                "y": i * 28 + 4,
                "text_y": i * 28 + 20,
            }
        )
    return {"value": value, "by": by, "bars": bars, "height": len(bars) * 28 + 8}


def points_of(rows: list[list[str]], header: list[str], schema: Schema, label: str) -> list[list[Any]]:
    where = services.coordinates(schema)
    if where is None:
        return []
    li = header.index(label) if label in header else 0
    points: list[list[Any]] = []
    for row in rows:
        point = services._point(dict(zip(header, row, strict=False)), where)
        if point is not None:
            points.append([point[1], point[0], row[li] if li < len(row) else ""])
        if len(points) >= MAP_POINTS:
            break
    return points


def _label_column(header: list[str], schema: Schema) -> str:
    for name in header:
        if fold(name).endswith(("nom", "name", "libelle", "titre")) and "coll" not in fold(name):
            return name
    return header[0] if header else ""


def select(table: versions.Table, options: Options) -> tuple[list[list[str]], list[str]]:
    """The rows matching the filter and the search, and the columns shown."""
    header = table.header
    shown = list(options.columns) or header
    rows = table.rows
    if options.filter_column:
        fi = header.index(options.filter_column)
        wanted = fold(options.filter_value)
        rows = [r for r in rows if fold(r[fi] if fi < len(r) else "") == wanted]
    if options.q:
        # The phrase within one shown cell, accents and case aside: "association 4" finds "Association 40"
        # and not every row whose date holds a 4.
        wanted = fold(options.q)
        picks = [header.index(c) for c in shown]
        rows = [r for r in rows if any(wanted in fold(r[i]) for i in picks if i < len(r))]
    return rows, shown


def render_widget(dataset: Dataset, version: DatasetVersion, params: QueryDict) -> tuple[str, Options]:
    schema = services.schema_of(dataset)
    table = table_of(version)
    options = parse_options(params, table.header, schema)
    rows, shown = select(table, options)
    pages = max(1, math.ceil(len(rows) / options.size))
    page = min(options.page, pages)
    start = (page - 1) * options.size
    picks = [table.header.index(c) for c in shown]
    body = [[r[i] if i < len(r) else "" for i in picks] for r in rows[start : start + options.size]]
    label = _label_column(table.header, schema)
    context = {
        "dataset": dataset,
        "version": version,
        "territory": dataset.etd.territory,
        "options": options,
        "labels": [{"name": c, "label": schema.labels.get(c, c)} for c in shown],
        "rows": body,
        "count": len(rows),
        "total": len(table.rows),
        "page": page,
        "pages": pages,
        "first": start + 1,
        "last": start + len(body),
        "previous": f"?{options.query(page=page - 1)}" if page > 1 else "",
        "next": f"?{options.query(page=page + 1)}" if page < pages else "",
        "hidden": options.hidden(),
        "clear": f"?{options.query(q='', page='')}",
        "chart": chart_of(rows, table.header, options.chart_value, options.chart_by)
        if options.chart_value
        else None,
        "map": {
            "points": points_of(rows, table.header, schema, label),
            "tiles": settings.ODL_ANIMATIONS_TILES_URL,
            "attribution": settings.ODL_ANIMATIONS_TILES_ATTRIBUTION,
        }
        if options.map
        else None,
        "public_url": f"{site()}{dataset.get_absolute_url()}",
    }
    return render_to_string("publishing/widget.html", context), options


def site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def _cache_key(pk: int, stamp: Stamp, params: QueryDict) -> str:
    query = urlencode(sorted((k, v) for k, v in params.items() if k in QUERY_KEYS))
    digest = hashlib.sha256(
        f"{RENDER_VERSION}|{pk}|{stamp.updated}|{stamp.version}|{stamp.sha256}|{query}".encode()
    ).hexdigest()
    return f"publishing:widget:{pk}:{digest[:32]}"


# --- The dataset's state, kept in the cache so that a kept page or a 304 reads no database ---------------------


@dataclass(frozen=True)
class Stamp:
    """What the widget of a dataset depends on: shown or not, its change and its latest version."""

    available: bool
    updated: str = ""
    version: int = 0
    sha256: str = ""
    changed: float = 0.0


STAMP_SECONDS = 60
# A generation that expires is replaced by a new one at the next visit (the database is then read): ids
# asked by a crawler leave nothing behind for good.
GENERATION_SECONDS = 24 * 3600
_MISSING = Stamp(available=False)


def _generation_key(pk: int) -> str:
    return f"publishing:widget-generation:{pk}"


def _stamp_key(pk: int, generation: str) -> str:
    return f"publishing:widget-stamp:{pk}:{generation}"


def _stamp_of(dataset: Dataset | None) -> Stamp:
    version = dataset.latest if dataset is not None else None
    if dataset is None or version is None:
        return _MISSING
    return Stamp(
        available=True,
        updated=dataset.updated_at.isoformat(),
        version=version.pk,
        sha256=version.sha256,
        changed=max(version.created_at, dataset.updated_at).timestamp(),
    )


def _load(pk: int) -> Dataset | None:
    return Dataset.objects.select_related("etd__territory", "latest").filter(pk=pk, public=True).first()


def forget(pk: int) -> None:
    """A dataset changed (saved, published, made private, deleted): its kept state is no longer read.

    The state is kept under the dataset's current generation, a random token: a new token now, and
    another once the transaction commits, so that a visitor who read the database before the commit
    (and kept what she read under the first token) is not believed after it.
    """
    if not settings.PUBLISHING_WIDGET_STAMPS:
        return
    from django.db import transaction

    def renew() -> None:
        cache.set(_generation_key(pk), secrets.token_hex(8), GENERATION_SECONDS)

    renew()
    transaction.on_commit(renew)


def _dataset_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget(instance.pk if isinstance(instance, Dataset) else instance.dataset_id)


def connect_signals() -> None:
    """Called by the app's ready(): any save or deletion of a dataset or a version renews its state."""
    from django.db.models.signals import post_delete, post_save

    for model in (Dataset, DatasetVersion):
        post_save.connect(_dataset_changed, sender=model, dispatch_uid=f"widget-forget-{model.__name__}")
        post_delete.connect(
            _dataset_changed, sender=model, dispatch_uid=f"widget-forget-del-{model.__name__}"
        )


def _stamp(pk: int) -> tuple[Stamp, Dataset | None]:
    """The dataset's state, from the cache when kept there (then no dataset is read: None)."""
    if not settings.PUBLISHING_WIDGET_STAMPS:
        dataset = _load(pk)
        return _stamp_of(dataset), dataset
    generation = cache.get(_generation_key(pk))
    if generation is None:
        # Never changed since the cache was emptied: a token first, then the database is read.
        cache.add(_generation_key(pk), secrets.token_hex(8), GENERATION_SECONDS)
        generation = cache.get(_generation_key(pk))
    else:
        kept = cache.get(_stamp_key(pk, generation))
        if isinstance(kept, tuple) and len(kept) == len(fields(Stamp)):
            return Stamp(*kept), None
    dataset = _load(pk)
    stamp = _stamp_of(dataset)
    if generation is not None:
        # A plain tuple: what a shared cache keeps does not depend on this class's pickled form.
        cache.set(_stamp_key(pk, generation), astuple(stamp), STAMP_SECONDS)
    return stamp, dataset


QUERY_KEYS = ("colonnes", "q", "filtre", "valeur", "graphique", "par", "carte", "lignes", "page")


def _unavailable(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processor may look the visitor up.
    response = HttpResponse(render_to_string("publishing/widget_missing.html"), status=404)
    response["Cache-Control"] = "public, max-age=60"
    return unread_session(request, response)


@access("public")
@require_safe
@frameable
def widget(request: HttpRequest, pk: int) -> HttpResponse:
    """The iframe page. Never reads request.user nor the session: no cookie, nothing varies by visitor.

    A kept page and a 304 read no database when ``PUBLISHING_WIDGET_STAMPS`` (a cache shared by every
    process): the dataset's state comes from the cache, renewed by any change (``forget``).
    """
    stamp, dataset = _stamp(pk)
    if not stamp.available:
        return _unavailable(request)
    key = _cache_key(pk, stamp, request.GET)
    conditional = get_conditional_response(request, etag=_etag(key), last_modified=int(stamp.changed))
    if conditional is not None:
        conditional["Cache-Control"] = f"public, max-age={BROWSER_SECONDS}"
        return unread_session(request, conditional)
    html = cache.get(key)
    if html is None:
        if dataset is None:
            # The state came from the cache; the page is rendered from the database's own.
            dataset = _load(pk)
            fresh = _stamp_of(dataset)
            if fresh != stamp:
                forget(pk)
                stamp = fresh
                if not stamp.available:
                    return _unavailable(request)
                key = _cache_key(pk, stamp, request.GET)
        if dataset is None or dataset.latest is None:
            return _unavailable(request)
        try:
            html, _ = render_widget(dataset, dataset.latest, request.GET)
        except SchemaNotFound:
            return _unavailable(request)
        cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html)
    response["Cache-Control"] = f"public, max-age={BROWSER_SECONDS}"
    response["ETag"] = _etag(key)
    response["Last-Modified"] = http_date(stamp.changed)
    return unread_session(request, response)


def _etag(key: str) -> str:
    return f'"{key.rsplit(":", 1)[1]}"'


# --- The snippet generator of the data space ------------------------------------------------------------------


def snippet(dataset: Dataset, query: str, title: str) -> str:
    src = f"{site()}{reverse('publishing:widget', args=[dataset.pk])}" + (f"?{query}" if query else "")
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="640" '
        f'loading="lazy"></iframe>'
    )


def generator_context(dataset: Dataset, params: QueryDict) -> dict[str, Any]:
    """The generator's choices, the query they make and the iframe HTML to copy."""
    if dataset.latest is None:
        return {"ready": False}
    schema = services.schema_of(dataset)
    header = table_of(dataset.latest).header
    chosen = QueryDict(mutable=True)
    picked = [c for c in params.getlist("colonne") if c in header]
    if picked and len(picked) < len(header):
        chosen["colonnes"] = ",".join(picked)
    for key in ("filtre", "valeur", "graphique", "par", "carte", "lignes", "q"):
        value = params.get(key, "")
        if value:
            chosen[key] = str(value)
    options = parse_options(chosen, header, schema)
    query = options.query()
    title = f"{dataset.title} – {dataset.etd.territory.nom}"
    return {
        "ready": True,
        "header": [{"name": c, "label": schema.labels.get(c, c), "checked": c in picked} for c in header],
        "numeric": [c for c in numeric_fields(schema) if c in header],
        "categories": [c for c in category_fields(schema) if c in header],
        "has_map": services.coordinates(schema) is not None,
        "options": options,
        "sizes": PAGE_SIZES,
        "preview": reverse("publishing:widget", args=[dataset.pk]) + (f"?{query}" if query else ""),
        "code": snippet(dataset, query, title),
    }


@access("etd")
@require_safe
def builder(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    """Choose columns, filter, chart or map; copy the iframe; see it below as the site's visitors will."""
    dataset = views._dataset(request, etd, pk)
    try:
        context = generator_context(dataset, request.GET)
    except SchemaNotFound as exc:
        context = {"ready": False, "problem": str(exc)}
    return render(request, "publishing/widget_builder.html", views._context(request, dataset, **context))


urlpatterns: list[URLPattern] = [
    path("donnees/<int:pk>/widget/", widget, name="widget"),
    path(f"{views.SPACE}<int:pk>/widget/", builder, name="widget_builder"),
]
