"""What the pages (and other apps) do with datasets: imports step by step, publication, downloads.

``latest_csv`` is the door for other apps (the push to data.gouv.fr): the latest published version of a
dataset as CSV bytes with what describes it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from odl.core import exports
from odl.core.text import fold
from odl.publishing import importing, versions
from odl.publishing.models import ColumnMemory, Dataset, DatasetVersion, DraftStatus, ImportDraft
from odl.schemas.registry import Schema, known
from odl.schemas.service import validate_file

PREVIEW_ROWS = 50
DOWNLOAD_FORMATS = ("csv", "xlsx", "json", "geojson")


def schema_of(dataset: Dataset) -> Schema:
    return known(dataset.schema_name)


# --- Import, step by step -------------------------------------------------------------------------------------


def remembered(dataset: Dataset) -> dict[str, str]:
    rows = ColumnMemory.objects.filter(territory_id=dataset.etd.territory_id, schema_name=dataset.schema_name)
    return {m.column: m.field for m in rows}


# The errors and corrections a draft's report lists (their counts stay exact).
REPORT_LISTED = 200


def start_import(dataset: Dataset, upload: UploadedFile[Any], by: Any) -> ImportDraft:
    """Store the upload, find its header row and propose a mapping. Raises ImportRefused (French)."""
    schema = schema_of(dataset)
    name = Path(upload.name or "fichier").name[:200]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "source"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        grid = importing.read_grid(path, name)
        index = importing.find_header(grid, schema)
        columns = _columns(grid.rows[index])
        draft = ImportDraft(
            dataset=dataset,
            created_by=by if by.is_authenticated else None,
            source_name=name,
            header_line=grid.lines[index],
            columns=columns,
            mapping=importing.propose_mapping(columns, schema, remembered(dataset)),
            report={"notes": grid.notes},
        )
        text = Path(tmp) / "grid.csv"
        importing.write_grid(grid, text)
        with path.open("rb") as handle:
            draft.source.save(f"{dataset.pk}-{name}", File(handle), save=False)
        with text.open("rb") as handle:
            draft.grid.save(f"{dataset.pk}-grid.csv", File(handle), save=False)
    draft.save()
    return draft


def _columns(header: list[str]) -> list[str]:
    columns = list(header)
    while columns and not columns[-1]:
        columns.pop()
    # An empty header cell still holds data: it gets a name the user can recognise.
    return [c or f"colonne {i + 1} (sans titre)" for i, c in enumerate(columns)]


def _local_grid(draft: ImportDraft, folder: Path) -> Path:
    path = folder / "grid.csv"
    with draft.grid.open("rb") as src, path.open("wb") as out:
        shutil.copyfileobj(src, out)
    return path


def samples(draft: ImportDraft, count: int = 3) -> list[list[str]]:
    """The first rows under the header, to show beside each column on the mapping page."""
    with tempfile.TemporaryDirectory() as tmp:
        head = importing.read_grid_head(_local_grid(draft, Path(tmp)), importing.HEADER_SEARCH_ROWS + count)
    return [row for line, row in head if line > draft.header_line][:count]


def defaults_for(dataset: Dataset, schema: Schema) -> dict[str, str]:
    territory = dataset.etd.territory
    code = territory.code if territory.kind == "commune" else ""
    return importing.own_values(schema, territory.nom, dataset.siret, code)


def check_import(draft: ImportDraft, mapping: list[str], by: Any) -> list[str]:
    """Apply the mapping and validate; French problems with the mapping, or [] once checked."""
    dataset = draft.dataset
    schema = schema_of(dataset)
    problems = importing.mapping_problems(draft.columns, mapping, schema)
    if problems:
        return problems
    draft.mapping = mapping
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mapped, aside, fixed = folder / "mapped.csv", folder / "aside.csv", folder / "fixed.csv"
        lines, kept_aside = importing.write_tables(
            _local_grid(draft, folder),
            draft.header_line,
            draft.columns,
            mapping,
            schema,
            mapped,
            aside,
            defaults_for(dataset, schema),
        )
        first = validate_file(
            mapped,
            schema,
            fix=fixed,
            display_name=draft.source_name,
            keep_per_group=20,
            # The report keeps the first 200 corrections: listing 100,000 of them only to drop them
            # was a third of the check of a large file (the total stays exact).
            max_listed_changes=REPORT_LISTED,
        )
        # What is published is the corrected copy: its own check says what is left for the user to fix.
        result = validate_file(fixed, schema, display_name=draft.source_name, keep_per_group=20)
        draft.report = {
            "valid": result.valid,
            "rows": result.rows,
            "errors": result.errors,
            "warnings": result.warnings,
            "errors_before_fixes": first.errors,
            "details": _with_file_lines(result.details[:REPORT_LISTED], lines),
            "corrections": _with_file_lines(first.corrections[:REPORT_LISTED], lines),
            "corrections_total": first.corrections_total,
            "aside": [c for c, m in zip(draft.columns, mapping, strict=True) if not m],
            "notes": draft.report.get("notes", []),
        }
        with fixed.open("rb") as handle:
            draft.checked.save(f"{dataset.pk}-checked.csv", File(handle), save=False)
        if kept_aside:
            with aside.open("rb") as handle:
                draft.aside.save(f"{dataset.pk}-aside.csv", File(handle), save=False)
    draft.status = DraftStatus.CHECKED
    draft.save()
    _remember(dataset, draft.columns, mapping)
    return []


def _with_file_lines(details: list[dict[str, Any]], lines: list[int]) -> list[dict[str, Any]]:
    """The engine counts lines of the mapped table; the user reads lines of her own file."""
    out = []
    for detail in details:
        item = dict(detail)
        row = item.get("ligne")
        if isinstance(row, int) and 2 <= row < len(lines) + 2:
            item["ligne_fichier"] = lines[row - 2]
        out.append(item)
    return out


def _remember(dataset: Dataset, columns: list[str], mapping: list[str]) -> None:
    territory_id = dataset.etd.territory_id
    for column, target in zip(columns, mapping, strict=True):
        ColumnMemory.objects.update_or_create(
            territory_id=territory_id,
            schema_name=dataset.schema_name,
            column=importing.key(column)[:200],
            defaults={"field": target},
        )


@transaction.atomic
def publish_draft(draft: ImportDraft, by: Any) -> DatasetVersion:
    with draft.checked.open("rb") as handle:
        data = handle.read()
    report = draft.report
    version = versions.publish(
        draft.dataset,
        data,
        schema_of(draft.dataset),
        by=by,
        valid=bool(report.get("valid")),
        errors=int(report.get("errors", 0)),
        warnings=int(report.get("warnings", 0)),
        note=f"import de « {draft.source_name} »",
    )
    draft.status = DraftStatus.PUBLISHED
    draft.version = version
    draft.save(update_fields=["status", "version"])
    return version


def restore(dataset: Dataset, old: DatasetVersion, by: Any) -> DatasetVersion:
    """The way back: the content of an old version, published again as the newest one."""
    with old.file.open("rb") as handle:
        data = handle.read()
    return versions.publish(
        dataset,
        data,
        schema_of(dataset),
        by=by,
        valid=old.valid,
        errors=old.errors,
        warnings=old.warnings,
        note=f"retour au contenu de la version {old.number}",
        restored_from=old.number,
    )


def validate_table(dataset: Dataset, table: versions.Table, keep_per_group: int = 20) -> tuple[bytes, Any]:
    """Check a whole table (form and grid edits) with the engine and its safe fixes: (corrected CSV, result).

    ``keep_per_group`` bounds the errors listed per kind (the counts stay exact)."""
    schema = schema_of(dataset)
    with tempfile.TemporaryDirectory() as tmp:
        raw, fixed = Path(tmp) / "table.csv", Path(tmp) / "fixed.csv"
        raw.write_bytes(to_plain_csv(table.header, table.rows))
        result = validate_file(raw, schema, fix=fixed, keep_per_group=keep_per_group)
        return fixed.read_bytes(), result


def to_plain_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """SCDL's CSV: UTF-8 without BOM, comma, the values exactly as given."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --- Reading a version back -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedCsv:
    """The latest published version of a dataset, for the doors that send it elsewhere."""

    data: bytes
    filename: str
    dataset_id: int
    title: str
    description: str
    schema_name: str
    schema_version: str
    licence: str
    frequency: str
    version: int
    rows: int
    valid: bool
    published_at: dt.datetime
    publisher_siren: str
    sha256: str


def latest_csv(dataset: Dataset) -> PublishedCsv | None:
    """None when nothing is published yet."""
    version = dataset.latest
    if version is None:
        return None
    with version.file.open("rb") as handle:
        data = handle.read()
    return PublishedCsv(
        data=data,
        filename=csv_filename(dataset, version),
        dataset_id=dataset.pk,
        title=dataset.title,
        description=dataset.description,
        schema_name=schema_of(dataset).identifier or dataset.schema_name,
        schema_version=version.schema_version,
        licence=dataset.licence,
        frequency=dataset.frequency,
        version=version.number,
        rows=version.rows,
        valid=version.valid,
        published_at=version.created_at,
        publisher_siren=dataset.etd.territory.siren,
        sha256=version.sha256,
    )


def csv_filename(dataset: Dataset, version: DatasetVersion) -> str:
    base = fold(f"{dataset.schema_name} {dataset.etd.territory.nom}").replace(" ", "-") or "donnees"
    return f"{base}-v{version.number}"


def coordinates(schema: Schema) -> tuple[str, str] | str | None:
    """(latitude field, longitude field), a geopoint field's name, or None: what a GeoJSON can use."""
    lat = lon = None
    for f in schema.table_schema.get("fields", []):
        if f.get("type") == "geopoint":
            return str(f["name"])
        k = importing.key(f["name"])
        if k.endswith(("lat", "latitude")):
            lat = f["name"]
        elif k.endswith(("long", "lon", "longitude")):
            lon = f["name"]
    return (lat, lon) if lat and lon else None


def _number(value: str) -> float | None:
    try:
        return float(Decimal(value.strip().replace(",", ".")))
    except (InvalidOperation, ValueError):
        return None


def _point(row: dict[str, str], where: tuple[str, str] | str) -> list[float] | None:
    if isinstance(where, str):
        text = row.get(where, "").strip().strip("[]")
        parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
        if len(parts) != 2:
            return None
        lon, lat = _number(parts[0]), _number(parts[1])
    else:
        lat, lon = _number(row.get(where[0], "")), _number(row.get(where[1], ""))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return [lon, lat]


def render_version(dataset: Dataset, version: DatasetVersion, fmt: str) -> tuple[bytes, str]:
    """The version in a download format: (bytes, content type). ValueError for an unknown format."""
    if fmt == "csv":
        with version.file.open("rb") as handle:
            return handle.read(), exports.CONTENT_TYPES["csv"]
    table = versions.read_version(version)
    if fmt == "xlsx":
        # The export helper neutralises formulas: a cell "=HYPERLINK(…)" stays text in Excel.
        return exports.to_xlsx(table.header, table.rows, sheet=dataset.schema_name), exports.CONTENT_TYPES[
            "xlsx"
        ]
    records = [dict(zip(table.header, row, strict=False)) for row in table.rows]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False).encode("utf-8"), "application/json"
    if fmt == "geojson":
        where = coordinates(schema_of(dataset))
        if where is None:
            raise ValueError("ce schéma n'a pas de coordonnées")
        features = []
        for record in records:
            point = _point(record, where)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": point} if point else None,
                    "properties": record,
                }
            )
        body = {"type": "FeatureCollection", "features": features}
        return json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/geo+json"
    raise ValueError(f"format inconnu : {fmt}")


def formats_of(dataset: Dataset) -> list[str]:
    return [f for f in DOWNLOAD_FORMATS if f != "geojson" or coordinates(schema_of(dataset)) is not None]
