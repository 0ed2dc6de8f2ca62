"""Retention of what the validation doors keep: reports, corrected copies and lists of corrections.

An upload itself lives only while it is validated (a temporary file, deleted at once); what stays
is removed after ``ODL_VALIDATION_RETENTION_DAYS`` by ``odl purge``. Running it twice removes nothing
more the second time; a file already gone is not an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from odl.schemas.models import ValidationJob, ValidationRun
from odl.schemas.uploads import changes_path, fixed_path, validation_dir


@dataclass
class PurgeResult:
    runs: int = 0
    files: int = 0


def purge_validations(days: int, *, now: dt.datetime | None = None) -> PurgeResult:
    """Delete the runs older than ``days`` days with their files, and stray files as old (a crash)."""
    limit = (now or timezone.now()) - dt.timedelta(days=days)
    result = PurgeResult()
    expired = ValidationRun.objects.older_than(limit)
    for pk, fixed in list(expired.values_list("pk", "fixed_file")):
        for path in {Path(fixed) if fixed else fixed_path(pk), fixed_path(pk), changes_path(pk)}:
            result.files += _remove(path)
    result.runs = expired.delete()[0]
    # The batches of the validation page, and the uploads of jobs a stopped process never ran.
    for upload in ValidationJob.objects.older_than(limit).exclude(upload="").values_list("upload", flat=True):
        result.files += _remove(Path(upload))
    ValidationJob.objects.older_than(limit).delete()
    uploads = validation_dir() / "uploads"
    for path in uploads.iterdir() if uploads.is_dir() else ():
        if path.is_file() and dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < limit:
            result.files += _remove(path)
    kept = {str(pk) for pk in ValidationRun.objects.values_list("pk", flat=True)}
    for path in validation_dir().iterdir():
        run_id = path.name.split(".")[0].removesuffix("-corrections")
        if run_id in kept or not path.is_file():
            continue
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        if modified < limit:
            result.files += _remove(path)
    return result


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1
