"""The web and API doors: store the upload, validate it, keep the report and the corrected copy."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from odl.schemas.engine import Progress
from odl.schemas.models import ValidationRun
from odl.schemas.reading import ShapeLimits
from odl.schemas.registry import guess_from_header, known
from odl.schemas.report import EXAMPLES_PER_GROUP
from odl.schemas.service import SchemaChoice, validate_file


def max_upload_bytes() -> int:
    return int(settings.ODL_VALIDATE_MAX_UPLOAD_MB) * 1024 * 1024


def too_large_message() -> str:
    return (
        f"Le fichier dépasse la limite de {settings.ODL_VALIDATE_MAX_UPLOAD_MB} Mo pour l'envoi par le site. "
        "Pour les gros fichiers, utilisez la commande « odl validate FICHIER --schema NOM », qui n'a pas de limite."
    )


def request_too_large(request: HttpRequest) -> bool:
    """Refuse before Django reads the body: a 500 MB upload must not be spooled to disk first."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_upload_bytes() + 64 * 1024


def validation_dir() -> Path:
    path = Path(settings.DATA_DIR) / "validations"
    path.mkdir(parents=True, exist_ok=True)
    return path


def fixed_path(run_id: uuid.UUID | str) -> Path:
    return validation_dir() / f"{run_id}.csv"


def changes_path(run_id: uuid.UUID | str) -> Path:
    """Every correction of a run, as CSV (the stored report lists only the first ones)."""
    return validation_dir() / f"{run_id}-corrections.csv"


def web_limits() -> ShapeLimits:
    return ShapeLimits(
        max_columns=settings.ODL_VALIDATE_MAX_COLUMNS,
        max_line_bytes=settings.ODL_VALIDATE_MAX_LINE_BYTES,
        max_cell_chars=settings.ODL_VALIDATE_MAX_CELL_CHARS,
        max_rows=settings.ODL_VALIDATE_MAX_ROWS,
    )


def _schema_for(spec: str) -> SchemaChoice:
    """Only schemas the platform knows (``registry.known``): a visitor never names a path or a URL."""
    if spec and spec != "auto":
        return known(spec)
    return guess_from_header


def store_upload(upload: UploadedFile[Any], folder: Path | None = None) -> Path:
    """Write the upload to disk (a temporary file, or ``folder`` for a job that a worker will read)."""
    name = Path(upload.name or "fichier").name
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix[:10], delete=False, dir=folder) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return Path(handle.name)


def run_upload(upload: UploadedFile[Any], schema_spec: str, user: Any = None) -> ValidationRun:
    """Validate an uploaded file; raises SchemaNotFound or UnreadableFile with French messages."""
    name = Path(upload.name or "fichier").name
    schema = _schema_for(schema_spec)
    temp = store_upload(upload)
    try:
        return validate_stored(temp, name, schema, user)
    finally:
        temp.unlink(missing_ok=True)


def validate_stored(
    path: Path, name: str, schema: SchemaChoice | str, user: Any = None, progress: Progress | None = None
) -> ValidationRun:
    """Validate a file already on disk and keep its report (the page, and the jobs of ``jobs.py``)."""
    if isinstance(schema, str):
        schema = _schema_for(schema)
    run_id = uuid.uuid4()
    fixed = fixed_path(run_id)
    changes = changes_path(run_id)
    result = validate_file(
        path,
        schema,
        fix=fixed,
        display_name=name,
        max_errors=settings.ODL_REPORT_MAX_ERRORS,
        # The first errors of every group are all the stored report can show: hold no more.
        keep_per_group=max(settings.ODL_REPORT_MAX_ERRORS, EXAMPLES_PER_GROUP),
        limits=web_limits(),
        changes=changes,
        max_listed_changes=settings.ODL_REPORT_MAX_CORRECTIONS,
        progress=progress,
    )
    if not result.corrections_total:
        fixed.unlink(missing_ok=True)
        changes.unlink(missing_ok=True)
    return ValidationRun.objects.create(
        id=run_id,
        user=user if getattr(user, "is_authenticated", False) else None,
        file_name=name[:255],
        schema_name=result.schema.name,
        schema_version=result.schema.version,
        valid=result.valid,
        rows=result.rows,
        errors=result.errors,
        warnings=result.warnings,
        report=result.as_dict(),
        fixed_file=str(fixed) if result.corrections_total else "",
    )


def copy_fixed(run: ValidationRun, target: Path) -> None:
    shutil.copyfile(run.fixed_file, target)
