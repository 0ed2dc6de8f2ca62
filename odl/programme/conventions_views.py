"""Views of the programme: conventions (generated documents, ATD templates, signed copies) and commitments."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from odl.accounts.access import access
from odl.core import exports
from odl.core.documents import CONVENTION_PLACEHOLDERS, PdfUnavailable, TemplateProblem, pdf_available
from odl.programme import conventions
from odl.programme.commitments import set_status
from odl.programme.conventions import EVIDENCE_KINDS, UploadRefused, body_too_large, read_checked
from odl.programme.conventions_forms import (
    CommitmentForm,
    ConventionForm,
    SignedCopyForm,
    StatusForm,
    TemplateForm,
)
from odl.programme.models import (
    PIPELINE,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Convention,
    ConventionTemplate,
    Etd,
    EtdStep,
)

View = TypeVar("View", bound=Callable[..., HttpResponse])


def limited_body(setting: str) -> Callable[[View], View]:
    """Refuse a POST larger than ``setting`` (Mo) from its Content-Length, before anything reads it.

    The CSRF middleware reads the whole form to find its token, so the check runs first and CSRF is
    enforced right after it (Django's documented pattern for upload handlers).
    """

    def decorate(view: View) -> View:
        protected = csrf_protect(view)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            limit = int(getattr(settings, setting))
            if request.method == "POST" and body_too_large(request, limit):
                return render(
                    request,
                    "programme/conventions/too_large.html",
                    {"limit": limit, "back": request.path},
                    status=413,
                )
            return protected(request, *args, **kwargs)

        return cast(View, csrf_exempt(guarded))

    return decorate


def _etd(request: HttpRequest, etd: int) -> Etd:
    return get_object_or_404(Etd.objects.select_related("territory", "atd"), pk=etd, atd=request.atd)  # type: ignore[attr-defined]


def _convention(request: HttpRequest, etd: int, pk: int) -> Convention:
    return get_object_or_404(
        Convention.objects.select_related("etd__territory", "etd__atd", "template"),
        pk=pk,
        etd_id=_etd(request, etd).pk,
    )


def _file(*args: Any, **kwargs: Any) -> HttpResponse:
    # A streamed file; typed as a response so that one access decorator fits every view.
    return cast(HttpResponse, FileResponse(*args, **kwargs))


# --- Conventions ------------------------------------------------------------------------------------


@access("atd_staff")
def convention_new(request: HttpRequest, slug: str, etd: int) -> HttpResponse:
    followed = _etd(request, etd)
    form = ConventionForm(request.POST or None, atd=followed.atd)
    if request.method == "POST" and form.is_valid():
        convention = form.save(commit=False)
        convention.etd = followed
        choices = conventions.CommitmentChoices(
            publish=form.cleaned_data["commit_publish"],
            meetings=form.cleaned_data["commit_meetings"],
            meetings_rate=form.cleaned_data["meetings_rate"],
            experience=form.cleaned_data["commit_experience"],
            test_tool=form.cleaned_data["commit_tool"],
            tool=form.cleaned_data["tool"].strip(),
        )
        conventions.create_convention(convention, choices, by=request.user)
        messages.success(request, "La convention est enregistrée : téléchargez-la pour la faire signer.")
        return redirect(_convention_url(convention))
    return render(request, "programme/conventions/new.html", {"etd": followed, "form": form})


def _convention_url(convention: Convention) -> str:
    return reverse("programme:convention", args=[convention.etd.atd.slug, convention.etd_id, convention.pk])


@access("atd_staff")
def convention_detail(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    convention = _convention(request, etd, pk)
    return render(
        request,
        "programme/conventions/detail.html",
        {
            "convention": convention,
            "etd": convention.etd,
            "formats": conventions.formats_of(convention),
            "pdf": pdf_available(),
            "commitments": convention.commitments.all(),
            "copies": convention.signed_copies.select_related("uploaded_by"),
            "datasets": [(s, conventions.schema_title(s)) for s in convention.datasets],
        },
    )


@access("atd_staff")
def convention_document(request: HttpRequest, slug: str, etd: int, pk: int, fmt: str) -> HttpResponse:
    convention = _convention(request, etd, pk)
    if fmt not in conventions.CONTENT_TYPES:
        raise Http404("format inconnu")
    try:
        data = conventions.generate(convention, fmt)
    except (TemplateProblem, PdfUnavailable) as exc:
        messages.error(request, f"Le document n'a pas pu être produit : {exc}")
        return redirect(_convention_url(convention))
    response = HttpResponse(data, content_type=conventions.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{conventions.file_name(convention, fmt)}"'
    return response


@access("atd_staff")
@limited_body("ODL_SIGNED_COPY_MAX_MB")
def signed_copy_upload(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    convention = _convention(request, etd, pk)
    form = SignedCopyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            copy = conventions.add_signed_copy(
                convention, form.cleaned_data["file"], form.cleaned_data["signed_at"], by=request.user
            )
        except UploadRefused as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request, f"Exemplaire signé enregistré (version {copy.version}) : la convention est signée."
            )
            return redirect(_convention_url(convention))
    return render(
        request,
        "programme/conventions/signed.html",
        {
            "convention": convention,
            "etd": convention.etd,
            "form": form,
            "copies": convention.signed_copies.select_related("uploaded_by"),
            "limit": settings.ODL_SIGNED_COPY_MAX_MB,
        },
    )


@access("etd")
def signed_copy_download(request: HttpRequest, slug: str, etd: int, pk: int, version: int) -> HttpResponse:
    convention = _convention(request, etd, pk)
    copy = get_object_or_404(convention.signed_copies, version=version)
    name = conventions.file_name(convention, "pdf").replace(".pdf", f"-signee-v{version}.pdf")
    return _file(copy.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


# --- ATD templates ------------------------------------------------------------------------------------


@access("atd_admin")
@limited_body("ODL_CONVENTION_TEMPLATE_MAX_MB")
def templates(request: HttpRequest, slug: str) -> HttpResponse:
    atd = request.atd  # type: ignore[attr-defined]
    form = TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = conventions.save_template(
                atd, form.cleaned_data["name"], form.cleaned_data["file"], by=request.user
            )
        except (TemplateProblem, UploadRefused) as exc:
            form.add_error("file", f"Modèle refusé : {exc}")
        else:
            messages.success(
                request, f"Le modèle « {template.name} » ({template.fmt.upper()}) est enregistré."
            )
            return redirect("programme:convention_templates", slug=atd.slug)
    return render(
        request,
        "programme/conventions/templates.html",
        {
            "atd": atd,
            "form": form,
            "templates": ConventionTemplate.objects.filter(atd=atd).select_related("uploaded_by"),
            "placeholders": sorted(CONVENTION_PLACEHOLDERS.items()),
            "limit": settings.ODL_CONVENTION_TEMPLATE_MAX_MB,
        },
    )


@access("atd_admin")
def template_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    template = get_object_or_404(ConventionTemplate, pk=pk, atd=request.atd)  # type: ignore[attr-defined]
    return _file(
        template.file.open("rb"),
        as_attachment=True,
        filename=f"modele-{slug}-{pk}.{template.fmt}",
        content_type=conventions.CONTENT_TYPES[template.fmt],
    )


# --- Commitments ------------------------------------------------------------------------------------

EXPORT_COLUMNS = ["engagement", "type", "statut", "statut fixé par", "échéance", "tenu le", "preuve", "note"]


def _commitments(followed: Etd) -> QuerySet[Commitment]:
    return followed.commitments.select_related("evidence_dataset", "evidence_by", "status_by", "convention")


def _export_row(c: Commitment) -> list[Any]:
    evidence = c.evidence_dataset.url if c.evidence_dataset else c.evidence_url
    who = "plateforme" if c.status_set_by != "manual" else getattr(c.status_by, "username", "")
    return [
        c.label,
        c.get_kind_display(),
        c.get_status_display(),
        who,
        c.due_date,
        c.met_at,
        evidence,
        c.note,
    ]


def _save_evidence(commitment: Commitment, form: CommitmentForm, user: Any) -> None:
    upload = form.cleaned_data.get("evidence_upload")
    if upload:
        data = read_checked(upload, settings.ODL_EVIDENCE_MAX_MB, EVIDENCE_KINDS, "La preuve")
        extension = upload.name.rsplit(".", 1)[-1].lower()[:5] if "." in upload.name else "bin"
        commitment.evidence_file.save(
            f"preuve-{commitment.etd_id}-{secrets.token_hex(8)}.{extension}", ContentFile(data), save=False
        )
    if upload or form.cleaned_data.get("evidence_url"):
        commitment.evidence_by = user
        commitment.evidence_date = commitment.evidence_date or timezone.localdate()


def _save_commitment(form: CommitmentForm, followed: Etd, user: Any) -> Commitment:
    commitment: Commitment = form.save(commit=False)
    commitment.etd = followed
    _save_evidence(commitment, form, user)
    if commitment.status_set_by != "manual" and commitment.status != CommitmentStatus.TENU:
        overdue = commitment.due_date is not None and commitment.due_date < timezone.localdate()
        commitment.status = CommitmentStatus.EN_RETARD if overdue else CommitmentStatus.A_FAIRE
    commitment.save()
    return commitment


def _published_by_hand(commitment: Commitment, user: Any) -> bool:
    """A publish commitment an ATD member marks « tenu » counts as the observatory's detection would
    (a portal the platform does not harvest): the ETD's first met SCDL commitment moves it to
    « publiée », unless it is already further along."""
    etd = commitment.etd
    if (
        commitment.kind != CommitmentKind.PUBLISH
        or commitment.status != CommitmentStatus.TENU
        or etd.step not in PIPELINE[: PIPELINE.index(EtdStep.PUBLIEE)]
    ):
        return False
    earlier = Commitment.objects.publishing().filter(etd=etd, status=CommitmentStatus.TENU)
    if earlier.exclude(pk=commitment.pk).exists():
        return False
    etd.move_to(
        EtdStep.PUBLIEE, by=user, note=f"premier engagement SCDL tenu (fixé à la main) : {commitment.label}"
    )
    return True


@access("atd_staff")
@limited_body("ODL_EVIDENCE_MAX_MB")
def commitment_list(request: HttpRequest, slug: str, etd: int) -> HttpResponse:
    followed = _etd(request, etd)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx", "ods"):
        data = exports.render(fmt, EXPORT_COLUMNS, (_export_row(c) for c in _commitments(followed)))
        response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="engagements-{followed.pk}.{fmt}"'
        return response
    form = CommitmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            commitment = _save_commitment(form, followed, request.user)
        except UploadRefused as exc:
            form.add_error("evidence_upload", str(exc))
        else:
            messages.success(request, f"Engagement ajouté : {commitment.label}.")
            return redirect("programme:commitments", slug=slug, etd=followed.pk)
    return render(
        request,
        "programme/commitments/list.html",
        {"etd": followed, "commitments": _commitments(followed), "form": form},
    )


@access("atd_staff")
@limited_body("ODL_EVIDENCE_MAX_MB")
def commitment_edit(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    followed = _etd(request, etd)
    commitment = get_object_or_404(_commitments(followed), pk=pk)
    editing = request.method == "POST" and request.POST.get("action") == "save"
    overriding = request.method == "POST" and request.POST.get("action") == "status"
    form = CommitmentForm(
        request.POST if editing else None, request.FILES if editing else None, instance=commitment
    )
    status_form = StatusForm(
        request.POST if overriding else None,
        initial={"status": commitment.status if commitment.status_set_by == "manual" else ""},
    )
    if editing and form.is_valid():
        try:
            _save_commitment(form, followed, request.user)
        except UploadRefused as exc:
            form.add_error("evidence_upload", str(exc))
        else:
            messages.success(request, "Engagement mis à jour.")
            return redirect("programme:commitments", slug=slug, etd=followed.pk)
    if overriding and status_form.is_valid():
        set_status(
            commitment,
            status_form.cleaned_data["status"],
            by=request.user,
            note=status_form.cleaned_data["note"],
        )
        if _published_by_hand(commitment, request.user):
            messages.success(request, f"{followed.territory.nom} passe à l'étape « publiée ».")
        messages.success(
            request,
            f"Statut fixé à la main : « {commitment.get_status_display()} »."
            if commitment.status_set_by == "manual"
            else "Le suivi de cet engagement est rendu à la plateforme.",
        )
        return redirect("programme:commitments", slug=slug, etd=followed.pk)
    return render(
        request,
        "programme/commitments/edit.html",
        {"etd": followed, "commitment": commitment, "form": form, "status_form": status_form},
    )


@access("etd")
def evidence_download(request: HttpRequest, slug: str, etd: int, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment, pk=pk, etd=_etd(request, etd))
    if not commitment.evidence_file:
        raise Http404("pas de fichier de preuve")
    name = (commitment.evidence_file.name or "preuve").rsplit("/", 1)[-1]
    return _file(commitment.evidence_file.open("rb"), as_attachment=True, filename=name)


ETD = "suivi/<slug:slug>/etd/<int:etd>/"
urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{ETD}conventions/nouvelle/", convention_new, name="convention_new"),
    path(f"{ETD}conventions/<int:pk>/", convention_detail, name="convention"),
    path(f"{ETD}conventions/<int:pk>/document.<str:fmt>", convention_document, name="convention_document"),
    path(f"{ETD}conventions/<int:pk>/signee/", signed_copy_upload, name="signed_copy_upload"),
    path(f"{ETD}conventions/<int:pk>/signee/<int:version>/", signed_copy_download, name="signed_copy"),
    path("suivi/<slug:slug>/modeles/", templates, name="convention_templates"),
    path("suivi/<slug:slug>/modeles/<int:pk>/", template_download, name="convention_template"),
    path(f"{ETD}engagements/", commitment_list, name="commitments"),
    path(f"{ETD}engagements/<int:pk>/", commitment_edit, name="commitment"),
    path(f"{ETD}engagements/<int:pk>/preuve/", evidence_download, name="commitment_evidence"),
]
