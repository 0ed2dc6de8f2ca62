"""Where a chart's rows come from: a published dataset's latest version, or a copy of a harvested resource.

A harvested resource is fetched once with the harvest's resource client (the internal-address guard,
its timeout, retries and size limit), read with the project's CSV/XLSX/ODS reader and kept as a
normalised CSV (:class:`~odl.dashboards.models.ResourceCopy`). Anything that goes wrong is a
:class:`SourceUnreadable` with a French message; nothing stored is touched before the new copy is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import polars as pl
from django.core.files.base import ContentFile
from django.utils import timezone

from odl.core.spreadsheets import UnreadableFile, read_table
from odl.dashboards.models import Chart, ResourceCopy
from odl.harvest.models import HarvestedDataset
from odl.harvest.scdl_checks import ResourceClient, ResourceUnavailable
from odl.publishing.models import Dataset, DatasetVersion

TABULAR = ("csv", "xlsx", "ods", "xls")
# The longest the chart form waits for a harvested resource (every retry and byte included).
FETCH_SECONDS = 30.0
# Parsed frames of the last sources read, by checksum: a version or a copy never changes.
_FRAMES: OrderedDict[str, pl.DataFrame] = OrderedDict()
_FRAMES_LOCK = threading.Lock()
_FRAMES_KEPT = 8


class SourceUnreadable(Exception):
    """The source cannot be read; the message is in French and says what to do."""


@dataclass(frozen=True)
class SourceInfo:
    """What every figure says about where it comes from."""

    label: str
    url: str
    date: str
    checksum: str
    rows: int


def resource_format(resource: dict[str, Any]) -> str:
    declared = str(resource.get("format") or "").strip().lower().lstrip(".")
    if declared:
        return declared
    return PurePosixPath(urlsplit(str(resource.get("url") or "")).path).suffix.lower().lstrip(".")


def tabular_resources(harvested: HarvestedDataset) -> list[tuple[int, dict[str, Any]]]:
    """The resources of a harvested dataset the platform can read (CSV, XLSX, ODS), with their index."""
    found = []
    for index, resource in enumerate(harvested.resources or []):
        if isinstance(resource, dict) and resource.get("url") and resource_format(resource) in TABULAR:
            found.append((index, resource))
    return found


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for i, raw in enumerate(header):
        name = raw.strip() or f"colonne {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def fetch_copy(harvested: HarvestedDataset, index: int) -> ResourceCopy:
    """Download and read resource ``index`` of ``harvested``; a new copy, or SourceUnreadable (French)."""
    resources = harvested.resources or []
    if not (0 <= index < len(resources)) or not isinstance(resources[index], dict):
        raise SourceUnreadable(
            "Cette ressource n'existe plus dans le jeu moissonné : choisissez-en une autre."
        )
    resource = resources[index]
    url = str(resource.get("url") or "")
    title = str(resource.get("title") or PurePosixPath(urlsplit(url).path).name or url)[:500]
    what = f"La ressource « {title[:120]} » ({url[:200]}) n'a pas pu être lue"
    if resource_format(resource) not in TABULAR:
        raise SourceUnreadable(f"{what} : seuls les fichiers CSV, XLSX et ODS sont lus.")
    client = ResourceClient("")
    # Read while the builder waits: one retry at most, and the whole download within FETCH_SECONDS.
    client.retries = min(client.retries, 1)
    client.set_deadline(time.monotonic() + FETCH_SECONDS)
    try:
        with tempfile.TemporaryDirectory() as folder:
            dest = Path(folder) / "ressource"
            client.download(url, dest)
            table = read_table(dest)
    except ResourceUnavailable as exc:
        raise SourceUnreadable(f"{what} : {exc}.") from exc
    except UnreadableFile as exc:
        raise SourceUnreadable(f"{what} : {exc}") from exc
    finally:
        client.close()
    if not table.header or not table.rows:
        raise SourceUnreadable(f"{what} : le fichier ne contient aucune ligne de données.")
    header = _unique(table.header)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    width = len(header)
    for row in table.rows:
        writer.writerow((row + [""] * width)[:width])
    data = buffer.getvalue().encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    copy = ResourceCopy(
        harvested=harvested,
        dataset_title=harvested.title[:500],
        url=url,
        title=title,
        sha256=digest,
        rows=len(table.rows),
        header=header,
        fetched_at=timezone.now(),
    )
    copy.file.save(f"{digest[:16]}.csv", ContentFile(data), save=False)
    copy.save()
    return copy


def _read_frame(data: bytes) -> pl.DataFrame:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise SourceUnreadable(
            f"Le fichier des données ne peut pas être lu ({exc.__class__.__name__})."
        ) from exc


def frame_of(checksum: str, open_bytes: Any) -> pl.DataFrame:
    with _FRAMES_LOCK:
        if checksum in _FRAMES:
            _FRAMES.move_to_end(checksum)
            return _FRAMES[checksum]
    frame = _read_frame(open_bytes())
    with _FRAMES_LOCK:
        _FRAMES[checksum] = frame
        while len(_FRAMES) > _FRAMES_KEPT:
            _FRAMES.popitem(last=False)
    return frame


def _file_bytes(field: Any) -> bytes:
    try:
        with field.open("rb") as handle:
            return bytes(handle.read())
    except OSError as exc:
        raise SourceUnreadable("Le fichier des données est introuvable sur la plateforme.") from exc


def _version(dataset: Dataset) -> DatasetVersion:
    if dataset.latest is None:
        raise SourceUnreadable(f"Le jeu « {dataset.title} » n'a encore aucune version publiée.")
    return dataset.latest


def info_of(chart: Chart) -> SourceInfo:
    if chart.dataset is not None:
        version = _version(chart.dataset)
        territory = chart.dataset.etd.territory.nom
        return SourceInfo(
            label=f"« {chart.dataset.title} » ({territory}), version {version.number} publiée sur OpenDataLocale",
            url=chart.dataset.get_absolute_url(),
            date=timezone.localtime(version.created_at).strftime("%d/%m/%Y"),
            checksum=version.sha256,
            rows=version.rows,
        )
    if chart.copy is not None:
        copy = chart.copy
        return SourceInfo(
            label=f"« {copy.dataset_title} », ressource « {copy.title} » moissonnée",
            url=copy.url,
            date=timezone.localtime(copy.fetched_at).strftime("%d/%m/%Y"),
            checksum=copy.sha256,
            rows=copy.rows,
        )
    raise SourceUnreadable("Ce graphique n'a pas de source : choisissez un jeu de données.")


def frame_for(chart: Chart) -> pl.DataFrame:
    if chart.dataset is not None:
        version = _version(chart.dataset)
        return frame_of(version.sha256, lambda: _file_bytes(version.file))
    if chart.copy is not None:
        copy = chart.copy
        return frame_of(copy.sha256, lambda: _file_bytes(copy.file))
    raise SourceUnreadable("Ce graphique n'a pas de source : choisissez un jeu de données.")


def clear_frames() -> None:
    with _FRAMES_LOCK:
        _FRAMES.clear()
