"""The data.gouv.fr pages of an ATD: link each collectivité to its organisation, set its key, push, follow.

The list is the ATD team's (``atd_staff``). A collectivité's pages name it by its SIREN and are open
to the ATD's team, coordinators and the collectivité's own agents in that ATD (``EtdAgent``): the
policy says ``signed_in`` and :func:`_territory` checks the object, as the ``etd`` policy does for an
ETD. A collectivité outside the ATD's perimeter answers 404, so nobody acts for it in another ATD's
name. The key is written, never shown again (only its last four characters).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from odl.accounts.access import access
from odl.accounts.models import EtdAgent
from odl.accounts.roles import atd_role
from odl.atds.models import Atd
from odl.datagouv import linking
from odl.datagouv import push as service
from odl.datagouv.client import DatagouvError
from odl.datagouv.forms import KeyForm, OrganizationForm, PushForm
from odl.datagouv.models import ApiCall, DatagouvLink, Push, PushStatus
from odl.territories.models import COLLECTIVITE_KINDS, Territory

CALLS_PER_PAGE = 50


def _territory(request: HttpRequest, slug: str, siren: str) -> Territory:
    """The collectivité, once the user is known to act for it; ``request.atd`` and ``request.atd_staff`` set."""
    atd = get_object_or_404(Atd, slug=slug)
    request.atd = atd  # type: ignore[attr-defined]
    territory = Territory.objects.filter(siren=siren, kind__in=COLLECTIVITE_KINDS).order_by("kind").first()
    if territory is None or not atd.covers(territory):
        raise Http404("Collectivité introuvable dans le périmètre de cette ATD.")
    staff = atd_role(request.user, atd) is not None
    if (
        not staff
        and not EtdAgent.objects.filter(
            user_id=int(request.user.pk or 0), atd=atd, territory=territory
        ).exists()
    ):
        raise PermissionDenied("Cette page est réservée à la collectivité concernée et à son ATD.")
    request.atd_staff = staff  # type: ignore[attr-defined]
    return territory


def _link(territory: Territory) -> DatagouvLink:
    return DatagouvLink.objects.filter(territory=territory).first() or DatagouvLink(territory=territory)


def _here(slug: str, siren: str) -> str:
    return reverse("datagouv:link", args=[slug, siren])


@access("atd_staff")
def link_list(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    query = request.GET.get("collectivite", "").strip()
    if query:
        digits = linking.digits(query)
        found = atd.territories_inside().filter(kind__in=COLLECTIVITE_KINDS)
        found = found.filter(siren=digits) if len(digits) == 9 else found.filter(nom__iexact=query)
        territory = found.exclude(siren="").first()
        if territory is not None:
            return HttpResponseRedirect(_here(slug, territory.siren))
        messages.error(
            request, f"Aucune collectivité « {query} » dans le périmètre de l'ATD (SIREN ou nom exact)."
        )
    links = (
        DatagouvLink.objects.for_territories(atd.territories_inside().values("pk"))
        .select_related("territory")
        .order_by("territory__nom")
    )
    return render(request, "datagouv/links.html", {"atd": atd, "links": links, "query": query})


@access("signed_in")
def link_page(request: HttpRequest, slug: str, siren: str) -> HttpResponse:
    territory = _territory(request, slug, siren)
    link = _link(territory)
    candidates: list[linking.Candidate] = []
    key_form = KeyForm()
    org_form = OrganizationForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if link.pk is None:
            link.save()
        try:
            if action == "search":
                candidates = linking.find_organizations(link)
                if not candidates:
                    messages.warning(
                        request,
                        f"Aucune organisation data.gouv.fr trouvée pour le SIREN {siren} ni pour le nom "
                        f"« {territory.nom} » : indiquez son adresse ci-dessous.",
                    )
            elif action == "choose":
                org_form = OrganizationForm(request.POST)
                if org_form.is_valid():
                    chosen = linking.choose_organization(link, org_form.cleaned_data["organization"])
                    if chosen.verified:
                        messages.success(request, f"Collectivité liée à l'organisation « {chosen.name} ».")
                    else:
                        messages.warning(
                            request,
                            f"Collectivité liée à « {chosen.name} », mais le SIRET déclaré sur data.gouv.fr "
                            f"({chosen.business_number_id or 'aucun'}) n'est pas celui de la collectivité "
                            f"(SIREN {siren}) : vérifiez que c'est la bonne organisation.",
                        )
                    return HttpResponseRedirect(_here(slug, siren))
            elif action == "key":
                key_form = KeyForm(request.POST)
                if key_form.is_valid():
                    queued = linking.save_key(link, key_form.cleaned_data["api_key"], request.user)
                    note = (
                        f" {queued} envoi(s) refusé(s) avec l'ancienne clé seront réessayés."
                        if queued
                        else ""
                    )
                    messages.success(request, f"Clé d'API enregistrée (chiffrée).{note}")
                    return HttpResponseRedirect(_here(slug, siren))
            elif action == "check":
                if not link.api_key:
                    messages.error(request, "Aucune clé d'API enregistrée pour cette collectivité.")
                else:
                    messages.info(request, linking.check_key(link))
                return HttpResponseRedirect(_here(slug, siren))
            else:
                messages.error(request, "Action inconnue.")
        except DatagouvError as error:
            messages.error(request, error.message)
    pushes = link.pushes.for_list()[:20] if link.pk else Push.objects.none()
    context = {
        "atd": request.atd,  # type: ignore[attr-defined]
        "territory": territory,
        "link": link,
        "candidates": candidates,
        "key_form": key_form,
        "org_form": org_form,
        "pushes": pushes,
        "remotes": link.remote_datasets.exclude(dataset_id="").order_by("local_id") if link.pk else [],
    }
    invalid = (key_form.is_bound and not key_form.is_valid()) or (
        org_form.is_bound and not org_form.is_valid()
    )
    return render(request, "datagouv/link.html", context, status=400 if invalid else 200)


@access("signed_in")
def push_new(request: HttpRequest, slug: str, siren: str) -> HttpResponse:
    territory = _territory(request, slug, siren)
    link = _link(territory)
    atd: Atd = request.atd  # type: ignore[attr-defined]
    form = PushForm()
    if request.method == "POST":
        form = PushForm(request.POST, request.FILES)
        if not link.ready:
            messages.error(
                request, "Liez d'abord la collectivité à son organisation et enregistrez sa clé d'API."
            )
        elif form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            item = service.PushItem(
                local_id=data["local_id"],
                title=data["title"],
                description=data["description"],
                filename=upload.name,
                content=upload.read(),
                fmt=upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else "csv",
                license=data["license"],
                frequency=data["frequency"],
                schema_name=data["schema_name"],
                schema_version=data["schema_version"],
                tags=form.tag_list(),
            )
            dry_run = request.POST.get("mode") == "dry_run"
            # An ATD team member acts for the collectivité: the push says so.
            on_behalf = atd.name if request.atd_staff else ""  # type: ignore[attr-defined]
            record = service.push(link, item, dry_run, user=request.user, on_behalf_of_atd=on_behalf)
            return HttpResponseRedirect(reverse("datagouv:push", args=[slug, siren, record.pk]))
    context = {"atd": atd, "territory": territory, "link": link, "form": form}
    return render(request, "datagouv/push_new.html", context, status=400 if form.is_bound else 200)


@access("signed_in")
def push_detail(request: HttpRequest, slug: str, siren: str, pk: int) -> HttpResponse:
    territory = _territory(request, slug, siren)
    record = get_object_or_404(
        Push.objects.select_related("link", "created_by"), pk=pk, link__territory=territory
    )
    if request.method == "POST":
        if record.status != PushStatus.FAILED or record.dry_run:
            messages.error(request, "Seul un envoi échoué peut être réessayé.")
        else:
            result = service.retry(record)
            if result is None:
                messages.info(request, "Cet envoi est déjà en train d'être réessayé.")
            elif result.status == PushStatus.DONE:
                messages.success(request, "Envoi réussi.")
            else:
                messages.error(request, result.error)
        return HttpResponseRedirect(reverse("datagouv:push", args=[slug, siren, record.pk]))
    context = {
        "atd": request.atd,  # type: ignore[attr-defined]
        "territory": territory,
        "push": record,
        "calls": record.calls.order_by("at", "pk"),
    }
    return render(request, "datagouv/push.html", context)


@access("signed_in")
def call_list(request: HttpRequest, slug: str, siren: str) -> HttpResponse:
    territory = _territory(request, slug, siren)
    calls = ApiCall.objects.filter(link__territory=territory).order_by("-at", "-pk")
    page = Paginator(calls, CALLS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"atd": request.atd, "territory": territory, "page": page, "query": ""}  # type: ignore[attr-defined]
    return render(request, "datagouv/calls.html", context)


urlpatterns = [
    path("suivi/<slug:slug>/datagouv/", link_list, name="links"),
    path("suivi/<slug:slug>/datagouv/<str:siren>/", link_page, name="link"),
    path("suivi/<slug:slug>/datagouv/<str:siren>/envoyer/", push_new, name="push_new"),
    path("suivi/<slug:slug>/datagouv/<str:siren>/envois/<int:pk>/", push_detail, name="push"),
    path("suivi/<slug:slug>/datagouv/<str:siren>/appels/", call_list, name="calls"),
]
