"""Pages of the data space (for the collectivité's agents and its ATD) and the public dataset pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from odl.accounts.access import access
from odl.programme.models import Etd
from odl.publishing import datagouv, dcat, importing, services, versions
from odl.publishing.forms import DatasetForm, ImportForm, RowForm
from odl.publishing.models import LICENCE_URLS, Dataset, DatasetVersion, DraftStatus, ImportDraft
from odl.schemas.registry import SchemaNotFound


def _etd(request: HttpRequest, etd: int) -> Etd:
    return get_object_or_404(Etd.objects.select_related("territory", "atd"), pk=etd, atd=request.atd)  # type: ignore[attr-defined]


def _dataset(request: HttpRequest, etd: int, pk: int) -> Dataset:
    return get_object_or_404(
        Dataset.objects.select_related("etd__territory", "etd__atd", "latest"),
        pk=pk,
        etd_id=etd,
        etd__atd=request.atd,  # type: ignore[attr-defined]
    )


def _context(request: HttpRequest, dataset: Dataset, **extra: Any) -> dict[str, Any]:
    return {"atd": dataset.etd.atd, "etd": dataset.etd, "dataset": dataset, **extra}


@access("etd")
def space(request: HttpRequest, slug: str, etd: int) -> HttpResponse:
    item = _etd(request, etd)
    today = timezone.localdate()
    datasets = list(Dataset.objects.of_etd(item).select_related("latest__created_by"))
    for d in datasets:
        d.etd = item
        if d.latest is not None:
            d.latest.dataset = d  # the publisher's label reads the ATD and the commune: no query per row
    rows = [
        {
            "dataset": d,
            "due": d.next_update_due(),
            "overdue": d.update_overdue(today),
            "by": d.latest.publisher_label() if d.latest else "",
        }
        for d in datasets
    ]
    return render(
        request,
        "publishing/space.html",
        {"atd": item.atd, "etd": item, "rows": rows, "overdue": [r for r in rows if r["overdue"]]},
    )


@access("etd")
def dataset_new(request: HttpRequest, slug: str, etd: int) -> HttpResponse:
    item = _etd(request, etd)
    form = DatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dataset = form.save(commit=False)
        dataset.etd = item
        dataset.created_by = request.user
        dataset.save()
        messages.success(
            request, f"Le jeu « {dataset.title} » est créé : importez un fichier ou ajoutez des lignes."
        )
        return redirect(dataset.space_url())
    return render(request, "publishing/dataset_form.html", {"atd": item.atd, "etd": item, "form": form})


@access("etd")
def dataset_edit(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    form = DatasetForm(request.POST or None, instance=dataset)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "La description du jeu est enregistrée.")
        return redirect(dataset.space_url())
    return render(request, "publishing/dataset_form.html", _context(request, dataset, form=form))


@access("etd")
def dataset_page(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    table = versions.read_version(dataset.latest) if dataset.latest else versions.Table([], [])
    history = list(
        dataset.versions.select_related("created_by", "dataset__etd__atd", "dataset__etd__territory")
    )
    return render(
        request,
        "publishing/dataset.html",
        _context(
            request,
            dataset,
            versions=[{"version": v, "by": v.publisher_label()} for v in history],
            header=table.header,
            rows=list(enumerate(table.rows[: services.PREVIEW_ROWS], start=1)),
            total=len(table.rows),
            import_form=ImportForm(),
            due=dataset.next_update_due(),
            overdue=dataset.update_overdue(),
            datagouv=datagouv.state(dataset),
        ),
    )


@access("etd")
def version_page(request: HttpRequest, slug: str, etd: int, pk: int, version: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    item = get_object_or_404(
        DatasetVersion.objects.select_related("created_by"), dataset=dataset, number=version
    )
    return render(
        request,
        "publishing/version.html",
        _context(request, dataset, version=item, by=item.publisher_label(), diff=item.diff),
    )


@access("etd")
@require_POST
def restore(request: HttpRequest, slug: str, etd: int, pk: int, version: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    old = get_object_or_404(DatasetVersion, dataset=dataset, number=version)
    new = services.restore(dataset, old, request.user)
    messages.success(
        request, f"Le contenu de la version {old.number} est republié : c'est la version {new.number}."
    )
    return redirect(dataset.space_url())


@access("etd")
@require_POST
def push_to_datagouv(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    """Send the latest version to the collectivité's data.gouv.fr organisation, or simulate it."""
    dataset = _dataset(request, etd, pk)
    dry_run = request.POST.get("mode") != "push"
    on_behalf = dataset.etd.atd.name if versions.acts_for_atd(request.user, dataset) else ""
    try:
        record = datagouv.push(dataset, dry_run=dry_run, user=request.user, on_behalf_of_atd=on_behalf)
    except (datagouv.NotPublished, datagouv.NotReady) as exc:
        messages.error(request, str(exc))
        return redirect(dataset.space_url())
    return redirect("datagouv:push", slug, dataset.etd.territory.siren, record.pk)


@access("etd")
@require_POST
def import_start(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choisissez un fichier CSV, XLSX ou ODS à importer.")
        return redirect(dataset.space_url())
    try:
        draft = services.start_import(dataset, form.cleaned_data["file"], request.user)
    except (importing.ImportRefused, SchemaNotFound) as exc:
        messages.error(request, f"Import impossible : {exc}")
        return redirect(dataset.space_url())
    return redirect("publishing:import_mapping", slug, etd, pk, draft.pk)


def _draft(dataset: Dataset, draft: int) -> ImportDraft:
    return get_object_or_404(ImportDraft, pk=draft, dataset=dataset)


@access("etd")
def import_mapping(request: HttpRequest, slug: str, etd: int, pk: int, draft: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    item = _draft(dataset, draft)
    if item.status == DraftStatus.PUBLISHED:
        messages.info(request, "Cet import est déjà publié.")
        return redirect(dataset.space_url())
    schema = services.schema_of(dataset)
    mapping = list(item.mapping)
    problems: list[str] = []
    if request.method == "POST":
        mapping = [request.POST.get(f"col{i}", "") for i in range(len(item.columns))]
        try:
            problems = services.check_import(item, mapping, request.user)
        except importing.ImportRefused as exc:
            problems = [str(exc)]
        if not problems:
            return redirect("publishing:import_check", slug, etd, pk, item.pk)
    samples = services.samples(item)
    choices = [("", "— mettre de côté —")] + [
        (name, f"{schema.labels.get(name, name)} ({name})") for name in schema.field_names
    ]
    columns = [
        {
            "index": i,
            "name": name,
            "choice": mapping[i] if i < len(mapping) else "",
            "samples": [row[i] for row in samples if i < len(row) and row[i]],
        }
        for i, name in enumerate(item.columns)
    ]
    fed = set(mapping)
    required = [
        f["name"]
        for f in schema.table_schema.get("fields", [])
        if f.get("constraints", {}).get("required") and f["name"] not in fed
    ]
    defaults = services.defaults_for(dataset, schema)
    return render(
        request,
        "publishing/mapping.html",
        _context(
            request,
            dataset,
            draft=item,
            columns=columns,
            choices=choices,
            problems=problems,
            unfed_required=[f for f in required if f not in defaults],
            prefilled=[f for f in required if f in defaults],
            notes=item.report.get("notes", []),
        ),
        status=400 if problems else 200,
    )


@access("etd")
def import_check(request: HttpRequest, slug: str, etd: int, pk: int, draft: int) -> HttpResponse:
    dataset = _dataset(request, etd, pk)
    item = _draft(dataset, draft)
    if item.status != DraftStatus.CHECKED:
        if item.status == DraftStatus.PUBLISHED:
            messages.info(request, "Cet import est déjà publié.")
            return redirect(dataset.space_url())
        messages.error(request, "Faites d'abord correspondre les colonnes du fichier aux champs du schéma.")
        return redirect("publishing:import_mapping", slug, etd, pk, item.pk)
    report = item.report
    if request.method == "POST":
        if report.get("errors") and not request.POST.get("accept_errors"):
            messages.error(
                request,
                "Il reste des erreurs : corrigez le fichier et importez-le de nouveau, ou cochez "
                "« Publier quand même » (le jeu sera signalé non valide).",
            )
        else:
            version = services.publish_draft(item, request.user)
            messages.success(request, f"Version {version.number} publiée : {version.rows} lignes.")
            return redirect(dataset.space_url())
    return render(request, "publishing/check.html", _context(request, dataset, draft=item, report=report))


def _row_form(request: HttpRequest, dataset: Dataset, index: int | None) -> HttpResponse:
    schema = services.schema_of(dataset)
    table = (
        versions.read_version(dataset.latest) if dataset.latest else versions.Table(schema.field_names, [])
    )
    if index is not None and not 1 <= index <= len(table.rows):
        raise Http404("Cette ligne n'existe pas dans la dernière version.")
    initial: dict[str, str] = {}
    if index is None:
        initial = services.defaults_for(dataset, schema)
    else:
        initial = dict(zip(table.header, table.rows[index - 1], strict=False))
    form = RowForm(schema, request.POST or None, initial=initial)
    engine_errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        aligned = versions._aligned(table, schema.field_names)
        rows = [list(r) for r in aligned]
        if index is None:
            rows.append(form.row())
            edited = len(rows)
        else:
            rows[index - 1] = form.row()
            edited = index
        data, result = services.validate_table(dataset, versions.Table(schema.field_names, rows))
        # The engine counts the header as line 1: the edited row is line edited + 1.
        engine_errors = [d for d in result.details if d.get("ligne") == edited + 1]
        if not engine_errors or request.POST.get("accept_errors"):
            fixed = versions.parse_csv(data)
            check_after = services.validate_table(dataset, fixed)[1]
            note = "ligne ajoutée" if index is None else f"ligne {index} modifiée"
            version = versions.publish(
                dataset,
                data,
                schema,
                by=request.user,
                valid=check_after.valid,
                errors=check_after.errors,
                warnings=check_after.warnings,
                note=note,
            )
            messages.success(request, f"Version {version.number} publiée ({note}).")
            return redirect(dataset.space_url())
    return render(
        request,
        "publishing/row_form.html",
        _context(
            request,
            dataset,
            form=form,
            index=index,
            engine_errors=engine_errors,
            required_marker=any(f.required for f in form.fields.values()),
            map_config=_picker_config(dataset, schema, table, index),
        ),
        status=400 if request.method == "POST" else 200,
    )


# The other rows shown on the row form's map, for context (the first ones of the latest version).
PICKER_POINTS = 500


def _picker_config(
    dataset: Dataset, schema: Any, table: versions.Table, index: int | None
) -> dict[str, Any] | None:
    """What the row form's map needs: the other rows' points and the background (its fields are marked by
    the form's data-map-* attributes)."""
    where = services.coordinates(schema)
    if where is None:
        return None
    others: list[list[float]] = []
    for n, row in enumerate(table.rows, start=1):
        if n == index:
            continue
        point = services._point(dict(zip(table.header, row, strict=False)), where)
        if point is not None:
            others.append([point[1], point[0]])
        if len(others) >= PICKER_POINTS:
            break
    territory = dataset.etd.territory
    departement = territory.departement_code or (territory.code if territory.kind == "departement" else "")
    return {
        "others": others,
        # Offline background: the communes of the collectivité's département once synced (odl geo sync),
        # else a grid of degrees. Tiles only when the platform was given a tile server.
        "contours": reverse("observatory:map_contours", args=["communes", departement])
        if departement
        else "",
        "commune": territory.code if territory.kind == "commune" else "",
        "tiles": settings.ODL_ANIMATIONS_TILES_URL,
        "attribution": settings.ODL_ANIMATIONS_TILES_ATTRIBUTION,
    }


@access("etd")
def row_new(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    return _row_form(request, _dataset(request, etd, pk), None)


@access("etd")
def row_edit(request: HttpRequest, slug: str, etd: int, pk: int, row: int) -> HttpResponse:
    return _row_form(request, _dataset(request, etd, pk), row)


# --- Public pages -------------------------------------------------------------------------------------------


def _public(pk: int) -> Dataset:
    dataset = get_object_or_404(
        Dataset.objects.select_related("etd__territory", "etd__atd", "latest"), pk=pk, public=True
    )
    if dataset.latest is None:
        raise Http404("Ce jeu n'est pas encore publié.")
    return dataset


# The public page's map shows at most this many rows (the first ones with a point); the downloads have all.
PUBLIC_MAP_POINTS = 1000


def _chart_columns(schema: Any, table: versions.Table) -> tuple[str, str] | None:
    """A numeric column and a category to sum it by, when a chart makes sense: a number that is not a
    coordinate, and a category with between 2 and 50 distinct values (a list of values first)."""
    from odl.publishing import widgets  # widgets imports this module

    where = services.coordinates(schema)
    skip = {where} if isinstance(where, str) else set(where or ())
    numeric = [n for n in widgets.numeric_fields(schema) if n in table.header and n not in skip]
    specs = {f["name"]: f for f in schema.table_schema.get("fields", [])}
    categories = sorted(
        (n for n in widgets.category_fields(schema) if n in table.header and n not in skip),
        key=lambda n: 0 if specs.get(n, {}).get("constraints", {}).get("enum") else 1,
    )
    if not numeric or not categories:
        return None
    value_index = table.header.index(numeric[0])
    if not any(widgets._number(r[value_index]) is not None for r in table.rows if value_index < len(r)):
        return None
    for name in categories:
        i = table.header.index(name)
        distinct = {r[i].strip() for r in table.rows if i < len(r) and r[i].strip()}
        if 2 <= len(distinct) <= 50:
            return numeric[0], name
    return None


def _public_figure(dataset: Dataset, latest: DatasetVersion, schema: Any) -> dict[str, Any]:
    """The public page's map (rows with coordinates) or bar chart, drawn by the widget's code.

    A version never changes: the figure is kept in the cache under the version's id and SHA-256.
    """
    from django.core.cache import cache

    from odl.publishing import widgets  # widgets imports this module

    key = f"publishing:public-figure:{widgets.RENDER_VERSION}:{PUBLIC_MAP_POINTS}:{latest.pk}:{latest.sha256}"
    figure: dict[str, Any] | None = cache.get(key)
    if figure is None:
        table = widgets.table_of(latest)
        figure = {"points": [], "chart": None, "with_point": 0}
        if services.coordinates(schema) is not None:
            label = widgets._label_column(table.header, schema)
            points = widgets.points_of(table.rows, table.header, schema, label)
            figure["with_point"] = len(points)
            figure["points"] = points[:PUBLIC_MAP_POINTS]
        else:
            columns = _chart_columns(schema, table)
            if columns is not None:
                figure["chart"] = widgets.chart_of(table.rows, table.header, *columns)
        cache.set(key, figure, 24 * 3600)
    return figure


@access("public")
def public(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = _public(pk)
    latest = dataset.latest
    assert latest is not None
    table = versions.read_version(latest)
    schema = services.schema_of(dataset)
    figure = _public_figure(dataset, latest, schema)
    return render(
        request,
        "publishing/public.html",
        {
            "dataset": dataset,
            "latest": latest,
            "schema": schema,
            "licence_url": LICENCE_URLS.get(dataset.licence, ""),
            "header": table.header,
            "rows": table.rows[: services.PREVIEW_ROWS],
            "total": len(table.rows),
            "formats": services.formats_of(dataset),
            "versions": list(dataset.versions.select_related("dataset__etd__atd", "dataset__etd__territory")),
            "by_atd": latest.by_atd,
            "due": dataset.next_update_due(),
            "chart": figure["chart"],
            "map": {
                "points": figure["points"],
                "tiles": settings.ODL_ANIMATIONS_TILES_URL,
                "attribution": settings.ODL_ANIMATIONS_TILES_ATTRIBUTION,
            }
            if figure["points"]
            else None,
            "map_points": len(figure["points"]),
            "map_limit": PUBLIC_MAP_POINTS,
            "map_capped": figure["with_point"] > len(figure["points"]),
        },
    )


def _download(dataset: Dataset, version: DatasetVersion, fmt: str) -> HttpResponse:
    if fmt not in services.formats_of(dataset):
        raise Http404("Format de téléchargement inconnu pour ce jeu.")
    body, content_type = services.render_version(dataset, version, fmt)
    response = HttpResponse(body, content_type=content_type)
    filename = services.csv_filename(dataset, version)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@access("public")
def latest_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    dataset = _public(pk)
    assert dataset.latest is not None
    response = _download(dataset, dataset.latest, fmt)
    # The latest changes with each publication: a cache must ask again.
    response["Cache-Control"] = "no-cache"
    return response


@access("public")
def version_download(request: HttpRequest, pk: int, version: int, fmt: str) -> HttpResponse:
    dataset = _public(pk)
    item = get_object_or_404(DatasetVersion, dataset=dataset, number=version)
    response = _download(dataset, item, fmt)
    # A version never changes: its file may be cached for good.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@access("public")
def catalogue(request: HttpRequest, fmt: str) -> HttpResponse:
    """The DCAT-AP catalogue, one Hydra page at a time (``?page=N``)."""
    if fmt not in dcat.FORMATS:
        raise Http404("Format de catalogue inconnu : ttl, rdf ou jsonld.")
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        return HttpResponse(
            f"Page « {raw[:20]} » invalide : un nombre entier à partir de 1.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(
        dcat.cached_page(fmt, int(raw)), content_type=f"{dcat.CONTENT_TYPES[fmt]}; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


SPACE = "suivi/<slug:slug>/etd/<int:etd>/donnees/"
urlpatterns: list[URLPattern] = [
    path(SPACE, space, name="space"),
    path(f"{SPACE}nouveau/", dataset_new, name="dataset_new"),
    path(f"{SPACE}<int:pk>/", dataset_page, name="dataset"),
    path(f"{SPACE}<int:pk>/modifier/", dataset_edit, name="dataset_edit"),
    path(f"{SPACE}<int:pk>/versions/<int:version>/", version_page, name="version"),
    path(f"{SPACE}<int:pk>/versions/<int:version>/republier/", restore, name="restore"),
    path(f"{SPACE}<int:pk>/datagouv/", push_to_datagouv, name="push_to_datagouv"),
    path(f"{SPACE}<int:pk>/import/", import_start, name="import_start"),
    path(f"{SPACE}<int:pk>/import/<int:draft>/colonnes/", import_mapping, name="import_mapping"),
    path(f"{SPACE}<int:pk>/import/<int:draft>/verification/", import_check, name="import_check"),
    path(f"{SPACE}<int:pk>/lignes/nouvelle/", row_new, name="row_new"),
    path(f"{SPACE}<int:pk>/lignes/<int:row>/", row_edit, name="row_edit"),
    path("donnees/catalogue.<str:fmt>", catalogue, name="catalogue"),
    path("donnees/<int:pk>/", public, name="public"),
    path("donnees/<int:pk>/dernier.<str:fmt>", latest_download, name="latest_download"),
    path("donnees/<int:pk>/v<int:version>.<str:fmt>", version_download, name="version_download"),
]


def space_url(etd: Etd) -> str:
    return reverse("publishing:space", args=[etd.atd.slug, etd.pk])
