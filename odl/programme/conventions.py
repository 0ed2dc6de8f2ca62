"""Conventions: the document generated from a Convention, ATD templates, signed copies, uploads.

``convention_context`` is the one place that turns a Convention into the values of the template's
placeholders (``CONVENTION_PLACEHOLDERS``): the ODT, DOCX and PDF downloads, the tests and the
benchmark all go through it.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from odl.atds.models import Atd
from odl.core.documents import (
    CONVENTION_PLACEHOLDERS,
    Format,
    TemplateProblem,
    default_convention_template,
    placeholders,
    render,
    to_pdf,
)
from odl.programme.models import (
    PIPELINE,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Convention,
    ConventionStatus,
    ConventionTemplate,
    Etd,
    EtdStep,
    SignedCopy,
)
from odl.schemas.registry import embedded

CONTENT_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class UploadRefused(ValueError):
    """An upload the platform will not keep; the message is in French, for the user."""


# --- SCDL datasets ------------------------------------------------------------------------------------


def schema_choices() -> list[tuple[str, str]]:
    """The embedded SCDL schemas, by the identifier the harvest records (``scdl/subventions``)."""
    return sorted(
        ((own.get("identifiant") or name, own["titre"]) for name, own in embedded().items()),
        key=lambda choice: choice[1],
    )


def schema_title(identifier: str) -> str:
    return dict(schema_choices()).get(identifier, identifier)


# What each item of an ATD's offer becomes in the convention's text.
SUPPORT_LABELS = {
    "animation": "Animation du réseau des collectivités accompagnées (points mensuels, échanges)",
    "formation": "Formation des agents et sensibilisation des élus",
    "outils": "Outils et méthodes pour produire et contrôler des données de qualité",
    "portail mutualisé": "Publication sur le portail open data mutualisé de l'ATD",
}


def support_choices(atd: Atd) -> list[tuple[str, str]]:
    return [
        (SUPPORT_LABELS.get(label, label), SUPPORT_LABELS.get(label, label)) for label in atd.offer_labels
    ]


# --- The document -------------------------------------------------------------------------------------


def convention_context(convention: Convention) -> dict[str, object]:
    etd, atd = convention.etd, convention.etd.atd
    others = [c.label for c in convention.commitments.all() if c.kind != CommitmentKind.PUBLISH]
    return {
        "atd_nom": atd.name,
        "atd_signataire": convention.atd_signatory,
        "atd_signataire_qualite": convention.atd_signatory_title,
        "etd_nom": etd.territory.nom,
        "etd_siren": etd.territory.siren,
        "etd_signataire": convention.etd_signatory,
        "etd_signataire_qualite": convention.etd_signatory_title,
        "date_convention": convention.date,
        "date_limite_publication": convention.publish_before,
        "duree_mois": convention.duration_months,
        "jeux_cibles": [f"{schema_title(s)} ({s})" for s in convention.datasets],
        "engagements": others,
        "offre_atd": list(convention.support),
        "offre_atd_precisions": convention.support_text,
        "lieu": convention.lieu,
    }


def formats_of(convention: Convention) -> list[Format]:
    """An ATD template is in one format; the platform's own model comes in both."""
    if convention.template is not None:
        return [convention.template.fmt]  # type: ignore[list-item]
    return ["odt", "docx"]


def generate(convention: Convention, fmt: str) -> bytes:
    """The convention as ODT, DOCX or PDF (``PdfUnavailable`` without LibreOffice)."""
    source: Format = formats_of(convention)[0] if fmt == "pdf" else fmt  # type: ignore[assignment]
    if source not in formats_of(convention):
        raise TemplateProblem(
            f"Le modèle de cette convention est au format {formats_of(convention)[0].upper()} : "
            f"le format {fmt.upper()} n'est pas disponible."
        )
    if convention.template is not None:
        with convention.template.file.open("rb") as handle:
            template = handle.read()
    else:
        template = default_convention_template(source)
    document = render(template, source, convention_context(convention))
    return to_pdf(document, source) if fmt == "pdf" else document


def file_name(convention: Convention, fmt: str) -> str:
    from django.utils.text import slugify

    return f"convention-{slugify(convention.etd.territory.nom)}-{convention.date:%Y-%m-%d}.{fmt}"


# --- Creating a convention and its commitments ---------------------------------------------------------


@dataclass
class CommitmentChoices:
    publish: bool = True
    meetings: bool = False
    meetings_rate: int | None = None
    experience: bool = False
    test_tool: bool = False
    tool: str = ""


def create_convention(convention: Convention, choices: CommitmentChoices, *, by: Any) -> Convention:
    """Save the convention with the ETD's commitments it lists (one "publish" per targeted dataset)."""
    due = convention.publish_before
    overdue = due is not None and due < timezone.localdate()
    status = CommitmentStatus.EN_RETARD if overdue else CommitmentStatus.A_FAIRE
    with transaction.atomic():
        convention.created_by = by
        convention.save()
        rows = []
        if choices.publish:
            rows += [
                Commitment(kind=CommitmentKind.PUBLISH, schema_id=schema, due_date=due, status=status)
                for schema in convention.datasets
            ]
        if choices.meetings:
            rows.append(Commitment(kind=CommitmentKind.MEETINGS, target_rate=choices.meetings_rate))
        if choices.experience:
            rows.append(Commitment(kind=CommitmentKind.EXPERIENCE))
        if choices.test_tool:
            rows.append(Commitment(kind=CommitmentKind.TEST_TOOL, tool=choices.tool))
        for row in rows:
            row.etd, row.convention = convention.etd, convention
        Commitment.objects.bulk_create(rows)
    return convention


# --- ATD templates ------------------------------------------------------------------------------------


def _format_of(data: bytes) -> Format:
    """ODT or DOCX by what the archive holds; anything else is left to ``placeholders`` to explain."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "docx" if "word/document.xml" in archive.namelist() else "odt"
    except (zipfile.BadZipFile, OSError, ValueError):
        return "odt"


def check_template(data: bytes) -> tuple[Format, list[str]]:
    """The format and the placeholders of an uploaded template; ``TemplateProblem`` when unusable."""
    fmt = _format_of(data)
    found = placeholders(data, fmt)
    unknown = sorted(found - set(CONVENTION_PLACEHOLDERS))
    if unknown:
        names = ", ".join(f"{{{{ {name} }}}}" for name in unknown)
        plural = "s inconnus" if len(unknown) > 1 else " inconnu"
        raise TemplateProblem(
            f"Champ{plural} dans le modèle : {names}. Corrigez-le{'s' if len(unknown) > 1 else ''} "
            "d'après la liste des champs disponibles ci-dessous."
        )
    return fmt, sorted(found)


def save_template(atd: Atd, name: str, upload: UploadedFile[Any], *, by: Any) -> ConventionTemplate:
    limit = settings.ODL_CONVENTION_TEMPLATE_MAX_MB
    if upload.size is not None and upload.size > limit * 1024 * 1024:
        raise UploadRefused(f"Le modèle dépasse la taille maximale de {limit} Mo.")
    data = upload.read()
    fmt, found = check_template(data)
    template = ConventionTemplate(atd=atd, name=name, fmt=fmt, placeholders=found, uploaded_by=by)
    template.file.save(f"modele-{atd.slug}-{secrets.token_hex(6)}.{fmt}", ContentFile(data), save=False)
    template.save()
    return template


# --- Uploads: size before reading, type by magic bytes --------------------------------------------------


def body_too_large(request: HttpRequest, limit_mb: int) -> bool:
    """Refuse from Content-Length before Django reads (and spools to disk) a huge body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit_mb * 1024 * 1024 + 64 * 1024  # room for the form's other fields


def read_checked(upload: UploadedFile[Any], limit_mb: int, kinds: dict[bytes, str], what: str) -> bytes:
    """The upload's bytes when it is small enough and starts like one of ``kinds`` (magic → label)."""
    if upload.size is not None and upload.size > limit_mb * 1024 * 1024:
        raise UploadRefused(
            f"{what} pèse {upload.size / 1024 / 1024:.0f} Mo : la limite est de {limit_mb} Mo."
        )
    data: bytes = upload.read()
    if not any(data.startswith(magic) for magic in kinds):
        labels = ", ".join(sorted(set(kinds.values())))
        raise UploadRefused(
            f"« {upload.name} » n'est pas un fichier accepté pour {what.lower()} (formats acceptés : {labels})."
        )
    return data


PDF_ONLY = {b"%PDF-": "PDF"}
EVIDENCE_KINDS = {
    b"%PDF-": "PDF",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"PK\x03\x04": "document bureautique (ODT, DOCX, ODS, XLSX)",
}


def add_signed_copy(
    convention: Convention, upload: UploadedFile[Any], signed_at: dt.date, *, by: Any
) -> SignedCopy:
    """A new version of the signed PDF; the convention is signed and the ETD moves to « convention signée »."""
    data = read_checked(upload, settings.ODL_SIGNED_COPY_MAX_MB, PDF_ONLY, "L'exemplaire signé")
    with transaction.atomic():
        convention = Convention.objects.select_for_update().get(pk=convention.pk)
        latest = convention.signed_copies.aggregate(latest=Max("version"))["latest"] or 0
        copy = SignedCopy(convention=convention, version=latest + 1, signed_at=signed_at, uploaded_by=by)
        copy.file.save(
            f"convention-{convention.pk}-v{copy.version}-{secrets.token_hex(8)}.pdf",
            ContentFile(data),
            save=False,
        )
        copy.save()
        convention.status = ConventionStatus.SIGNEE
        convention.signed_at = signed_at
        convention.save(update_fields=["status", "signed_at"])
        etd = Etd.objects.get(pk=convention.etd_id)
        before = PIPELINE[: PIPELINE.index(EtdStep.CONVENTION_SIGNEE)]
        if etd.step in before:  # an ETD already further along (or abandoned) stays where it is
            change = etd.move_to(
                EtdStep.CONVENTION_SIGNEE, by=by, note=f"exemplaire signé déposé (version {copy.version})"
            )
            # The step dates from the signature, not from the upload.
            signed = dt.datetime.combine(signed_at, dt.time(12), tzinfo=change.at.tzinfo)
            change.at = signed
            change.save(update_fields=["at"])
            etd.step_changed_at = signed
            etd.save(update_fields=["step_changed_at"])
    return copy
