"""The document space: what a file really is (magic bytes, not its name), how it is stored and found.

Accepted: PDF, ODT/ODS/ODP, DOCX/XLSX/PPTX, CSV/TXT, PNG/JPEG. Office files are ZIP archives: their
directory is checked against zip bombs (:func:`odl.core.archives.check_zip`) before anything is
read. Files are stored under a random name and only ever served by a view that checks visibility.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from odl.core.archives import ArchiveRefused, check_zip
from odl.core.documents import MAX_COMPRESSION_RATIO
from odl.core.text import fold
from odl.programme.models import Resource, ResourceQuerySet, ResourceVersion

# An office document of the document space inflates to far less than this.
MAX_INFLATED_BYTES = 200 * 1024 * 1024

OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML = {
    "word/document.xml": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
}
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "text/csv": "csv",
    "text/plain": "txt",
    **OPENDOCUMENT,
    **{mime: ext for mime, ext in OOXML.values()},
}
ACCEPTED_TEXT = "PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, CSV, TXT, PNG ou JPEG"


class ResourceProblem(ValueError):
    """A file the document space refuses; the message is in French and says why."""


def max_bytes() -> int:
    return int(settings.ODL_RESOURCE_MAX_BYTES)


def size_label(size: int) -> str:
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} Ko"
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",").replace(",0 Mo", " Mo")


def check_size(size: int) -> None:
    if size > max_bytes():
        raise ResourceProblem(
            f"Le fichier pèse {size_label(size)} : la limite est de {size_label(max_bytes())}. "
            "Réduisez-le (images compressées, export PDF allégé) ou découpez-le."
        )


def sniff(data: bytes, name: str) -> str:
    """The content type of ``data`` read from its first bytes; ResourceProblem when not accepted."""
    if not data:
        raise ResourceProblem(f"« {name} » est vide.")
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_archive(data, name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ResourceProblem(
            f"« {name} » est un ancien format Office (.doc, .xls ou .ppt) : enregistrez-le en ODT, DOCX, "
            "ODS, XLSX, ODP ou PPTX avant de le déposer."
        )
    return _sniff_text(data, name)


def _sniff_archive(data: bytes, name: str) -> str:
    try:
        names = check_zip(
            data,
            what=f"« {name} »",
            max_uncompressed=MAX_INFLATED_BYTES,
            max_ratio=MAX_COMPRESSION_RATIO,
            ratio_from=10 * 1024 * 1024,
        )
    except ArchiveRefused as exc:
        if exc.damaged:
            raise ResourceProblem(f"« {name} » est une archive endommagée : il ne s'ouvre pas.") from exc
        raise ResourceProblem(str(exc)) from exc
    archive = zipfile.ZipFile(io.BytesIO(data))
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
        mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
        if mimetype in OPENDOCUMENT:
            return mimetype
    for member, (mime, _ext) in OOXML.items():
        if member in names:
            return mime
    raise ResourceProblem(
        f"« {name} » est une archive ZIP qui n'est pas un document bureautique : formats acceptés : {ACCEPTED_TEXT}."
    )


def _sniff_text(data: bytes, name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if b"\x00" in data[:65536] or suffix not in ("csv", "txt"):
        raise ResourceProblem(
            f"Le type de « {name} » n'est pas accepté : formats acceptés : {ACCEPTED_TEXT}."
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "text/csv" if suffix == "csv" else "text/plain"
    raise ResourceProblem(f"« {name} » n'est pas un fichier texte lisible (ni UTF-8 ni Windows-1252).")


def parse_tags(text: str) -> list[str]:
    """``"budget, Subventions ; budget"`` → ``["budget", "Subventions"]``: trimmed, without repeats."""
    tags: list[str] = []
    for raw in text.replace(";", ",").split(","):
        tag = raw.strip()[:60]
        if tag and fold(tag) not in {fold(t) for t in tags}:
            tags.append(tag)
    return tags[:20]


@transaction.atomic
def add_version(resource: Resource, data: bytes, name: str, *, by: Any, note: str = "") -> ResourceVersion:
    """Check the file and store it as the resource's next version; older versions stay downloadable."""
    check_size(len(data))
    content_type = sniff(data, name)
    # Lock the resource so two uploads at once cannot take the same version number.
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    last = resource.versions.aggregate(last=Max("version"))["last"] or 0
    version = ResourceVersion(
        resource=resource,
        version=last + 1,
        size=len(data),
        content_type=content_type,
        note=note.strip()[:500],
        uploaded_by=by,
    )
    version.file.save(f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}", ContentFile(data), save=False)
    version.save()
    return version


@dataclass
class Search:
    text: str = ""
    kind: str = ""


def search(resources: ResourceQuerySet, query: Search) -> list[Resource]:
    """Resources whose title or a tag holds every word of the query, accents and case ignored.

    Folding happens in Python: the visible resources of one user are a few hundred at most.
    """
    if query.kind:
        resources = resources.filter(kind=query.kind)
    rows = list(resources.select_related("atd", "etd__territory").prefetch_related("versions"))
    words = fold(query.text).split()
    if not words:
        return rows
    return [r for r in rows if all(w in fold(" ".join([r.title, *r.tags])) for w in words)]


EXPORT_COLUMNS = ["Titre", "Type", "Licence", "Mots-clés", "Visibilité", "ATD", "Collectivité", "Dernière version", "Déposée le"]  # fmt: skip


def export_rows(resources: list[Resource]) -> list[list[Any]]:
    rows = []
    for r in resources:
        latest = r.versions.all()[0] if r.versions.all() else None
        rows.append(
            [
                r.title,
                r.get_kind_display(),
                r.get_licence_display(),
                ", ".join(r.tags),
                r.get_visibility_display(),
                r.atd.name if r.atd else "",
                r.etd.territory.nom if r.etd else "",
                latest.version if latest else None,
                timezone.localdate(latest.uploaded_at).isoformat() if latest else "",
            ]
        )
    return rows
