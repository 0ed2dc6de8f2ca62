"""Harvest sources, runs and the publisher review queue, each scoped to the user's role and perimeter.

Staff users are national coordinators: every source, every publisher. An ATD member (``odl.atds.models.AtdMembership``) sees
national sources and its ATD's, manages only its ATD's, and reviews only publishers in its perimeter.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from odl.atds.models import AtdScope, scope_of
from odl.core import exports
from odl.core.access import access
from odl.core.spreadsheets import UnreadableFile, read_table
from odl.harvest import tasks
from odl.harvest.harvesters.base import kinds
from odl.harvest.harvesters.errors import HarvestError, SourceUrlError
from odl.harvest.harvesters.runner import STATUS_LABELS, preview, release_dead_runs
from odl.harvest.harvesters.sources import (
    MAPPING_COLUMNS,
    REQUIRED_MAPPING_COLUMNS,
    SCHEDULES,
    check_source,
    find_territory,
    import_mapping,
    mapping_rows,
    parse_filters,
)
from odl.harvest.models import (
    REVIEW_DECISIONS,
    Decision,
    DecisionError,
    HarvestRun,
    HarvestSource,
    Keep,
    MatchStatus,
    Publisher,
    parse_decision,
)
from odl.harvest.secrets import redact, split_secrets
from odl.territories.models import Territory


def member_of(user: Any) -> AtdScope | None:
    return scope_of(user)


def can_declare(user: Any) -> bool:
    return bool(user.is_staff or member_of(user))


class SourceForm(forms.Form):
    name = forms.CharField(label="Nom de la source", max_length=200)
    kind = forms.ChoiceField(label="Type de source")
    url = forms.CharField(label="Adresse (URL)", max_length=500, help_text="https://…")
    organisation = forms.CharField(label="Organisation (data.gouv.fr, CKAN)", required=False, max_length=200)
    publisher = forms.CharField(label="Éditeur (Opendatasoft, DCAT)", required=False, max_length=200)
    tags = forms.CharField(label="Mots-clés, séparés par des virgules", required=False, max_length=500)
    owner = forms.CharField(
        label="ATD propriétaire",
        required=False,
        max_length=40,
        help_text="ex. departement:35 ; vide pour une source nationale",
    )
    schedule = forms.ChoiceField(label="Fréquence", choices=list(SCHEDULES.items()), initial="weekly")

    def __init__(self, *args: Any, member: AtdScope | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["kind"].choices = list(kinds().items())  # type: ignore[attr-defined]
        if member is not None:
            # An ATD declares sources for its own perimeter only.
            del self.fields["owner"]
        self.checked_url = ""
        self.owner_territory: Territory | None = member.territory if member else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        data["filters"] = parse_filters(
            data.get("organisation", ""), data.get("publisher", ""), data.get("tags", "")
        )
        try:
            self.checked_url = check_source(data["kind"], data["url"], data["filters"])
        except SourceUrlError as exc:
            self.add_error("url", str(exc))
        if self.member is None and data.get("owner"):
            try:
                self.owner_territory = find_territory(data["owner"])
            except SourceUrlError as exc:
                self.add_error("owner", str(exc))
        return data


@access("signed_in")
def source_list(request: HttpRequest) -> HttpResponse:
    sources = HarvestSource.objects.visible_to(request.user).select_related("owner")
    managed = set(HarvestSource.objects.managed_by(request.user).values_list("pk", flat=True))
    last_runs: dict[int, HarvestRun] = {}
    for run in HarvestRun.objects.filter(source__in=sources).order_by("source_id", "-started_at").distinct():
        last_runs.setdefault(run.source_id, run)
    rows = [(s, last_runs.get(s.pk), s.pk in managed) for s in sources]
    return render(
        request,
        "harvest/source_list.html",
        {"rows": rows, "can_declare": can_declare(request.user), "status_labels": STATUS_LABELS},
    )


@access("atd_member")
def source_new(request: HttpRequest) -> HttpResponse:
    if not can_declare(request.user):
        raise PermissionDenied("Seuls la coordination nationale et les ATD déclarent des sources.")
    member = None if request.user.is_staff else member_of(request.user)
    form = SourceForm(request.POST or None, member=member)
    page = None
    test_error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "test":
            try:
                page = preview(data["kind"], form.checked_url, data["filters"])
            except HarvestError as exc:
                # The page shows the address without its credentials: so does the error.
                test_error = redact(str(exc), split_secrets(form.checked_url)[1])
        else:
            source = HarvestSource.objects.create(
                name=data["name"],
                kind=data["kind"],
                url=form.checked_url,
                filters=data["filters"],
                owner=form.owner_territory,
                schedule=data["schedule"],
                created_by=request.user,  # type: ignore[misc]
            )
            messages.success(request, f"Source « {source.name} » déclarée. Lancez un premier moissonnage.")
            return redirect("harvest:source", pk=source.pk)
    return render(
        request,
        "harvest/source_form.html",
        {"form": form, "page": page, "test_error": test_error, "member": member},
    )


@access("signed_in")
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(HarvestSource.objects.visible_to(request.user).select_related("owner"), pk=pk)
    # A run whose process died is shown as what it is, not as "en cours".
    release_dead_runs(source)
    datasets = source.datasets.select_related("publisher").order_by("-last_seen", "title")
    page = Paginator(datasets, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "harvest/source_detail.html",
        {
            "source": source,
            "runs": source.runs.all()[:20],
            "running": source.runs.filter(status="running").first(),
            "datasets": page,
            "can_manage": HarvestSource.objects.managed_by(request.user).filter(pk=pk).exists(),
            "status_labels": STATUS_LABELS,
            "current_count": source.datasets.current().count(),
            "archived_count": source.datasets.filter(archived_at__isnull=False).count(),
        },
    )


@access("signed_in")
@require_POST
def source_run(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(HarvestSource.objects.managed_by(request.user), pk=pk)
    run_id = tasks.start(source, trigger="web")
    if run_id is None:
        messages.info(request, "Moissonnage envoyé aux workers : la progression s'affiche ci-dessous.")
        return redirect("harvest:source", pk=pk)
    return redirect("harvest:run", pk=run_id)


@access("signed_in")
@require_POST
def source_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a source (its harvested datasets stay) or activate it again."""
    source = get_object_or_404(HarvestSource.objects.managed_by(request.user), pk=pk)
    source.active = not source.active
    source.save(update_fields=["active"])
    messages.success(request, f"Source « {source.name} » {'réactivée' if source.active else 'désactivée'}.")
    return redirect("harvest:source", pk=pk)


@access("signed_in")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = HarvestSource.objects.visible_to(request.user)
    run = get_object_or_404(HarvestRun.objects.select_related("source").filter(source__in=visible), pk=pk)
    return render(request, "harvest/run_detail.html", {"run": run, "status_labels": STATUS_LABELS})


@access("atd_member")
def review_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut", MatchStatus.TO_REVIEW)
    if status not in MatchStatus.values:
        status = MatchStatus.TO_REVIEW
    publishers = (
        Publisher.objects.visible_to(request.user)
        .filter(match_status=status)
        .select_related("source", "territory", "candidate", "on_behalf_of")
        .order_by("name", "pk")
    )
    page = Paginator(publishers, 50).get_page(request.GET.get("page"))
    counts = dict(
        Publisher.objects.visible_to(request.user)
        .values_list("match_status")
        .annotate(n=Count("pk"))
        .values_list("match_status", "n")
    )
    choices = [(value, label, counts.get(value, 0)) for value, label in MatchStatus.choices]
    return render(
        request,
        "harvest/review_queue.html",
        {
            "page": page,
            "status": status,
            "status_label": MatchStatus(status).label,
            "choices": choices,
            "member": member_of(request.user),
        },
    )


class MappingUploadForm(forms.Form):
    file = forms.FileField(label="Table de correspondance (CSV, XLSX ou ODS, au format de l'export)")
    dry_run = forms.BooleanField(label="Vérifier seulement, sans rien enregistrer", required=False)


@access("atd_member")
def mapping_export(request: HttpRequest) -> HttpResponse:
    """The mapping of the publishers this user may see, as CSV (formula injection neutralised)."""
    rows = mapping_rows(Publisher.objects.visible_to(request.user))
    response = HttpResponse(exports.to_csv(MAPPING_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="correspondances-editeurs.csv"'
    return response


@access("atd_member")
def mapping_import(request: HttpRequest) -> HttpResponse:
    member = None if request.user.is_staff else member_of(request.user)
    if member is None and not request.user.is_staff:
        raise PermissionDenied("Seuls la coordination nationale et les ATD importent des correspondances.")
    form = MappingUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.ODL_MAX_UPLOAD_BYTES:
            form.add_error("file", "Fichier trop volumineux.")
        else:
            try:
                table = read_table(upload.name, upload.read())
            except UnreadableFile as exc:
                form.add_error("file", str(exc))
            else:
                header = {h.strip().lower() for h in table.header}
                missing = [c for c in REQUIRED_MAPPING_COLUMNS if c not in header]
                if missing:
                    form.add_error("file", f"Colonnes manquantes : {', '.join(missing)}.")
                else:
                    report = import_mapping(
                        table.dicts(),
                        table.line_numbers or list(range(2, len(table.rows) + 2)),
                        user=request.user,
                        dry_run=form.cleaned_data["dry_run"],
                        publishers=Publisher.objects.visible_to(request.user),
                        perimeter=member.area if member else None,
                    )
    return render(request, "harvest/mapping_import.html", {"form": form, "report": report})


@access("atd_member")
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    publisher = get_object_or_404(Publisher.objects.visible_to(request.user), pk=pk)
    member = None if request.user.is_staff else member_of(request.user)
    try:
        decision = parse_decision(request.POST.get("action", ""), among=REVIEW_DECISIONS)
        # Only these two name a collectivité of their own; ACCEPT takes the proposal.
        named = (
            find_territory(request.POST.get("territoire", ""))
            if decision in (Decision.REASSIGN, Decision.ON_BEHALF)
            else None
        )
        publisher.decide(
            decision,
            by=request.user,
            territory=named if decision == Decision.REASSIGN else None,
            on_behalf_of=named if decision == Decision.ON_BEHALF else Keep.CURRENT,
            perimeter=member.area if member else None,
        )
    except (SourceUrlError, DecisionError) as exc:
        messages.error(request, f"{publisher.name} : {exc}")
        return _back(request)
    messages.success(request, f"{publisher.name} : décision enregistrée ({decision.label}).")
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the queue page the decision came from, never to another site."""
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("harvest:review")
