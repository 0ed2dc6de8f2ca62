"""Pages of the reuses: the public gallery, a reuse, a dataset's reuses, the counts per département;
the ATD team's additions and corrections; the coordinator's list of national observatories.

A reuse an ATD added belongs to it: another ATD's team gets a 404 on its edit page. A harvested reuse
(no ATD) may be corrected by any ATD's team; the correction is dated and kept through later harvests.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import urlencode

from odl.accounts.access import access
from odl.atds.models import Atd
from odl.harvest.models import HarvestedDataset
from odl.reuses import counts
from odl.reuses.forms import ObservatoryForm, ReuseForm, territories_from_codes
from odl.reuses.models import THEMES, NationalObservatory, Reuse, ReuseKind

PER_PAGE = 24


def _filters(request: HttpRequest) -> tuple[dict[str, str], Any, str]:
    """The gallery's filters, the territory they name (or None) and a French problem (or "")."""
    chosen = {
        "territoire": request.GET.get("territoire", "").strip()[:20],
        "theme": request.GET.get("theme", "").strip()[:40],
        "type": request.GET.get("type", "").strip()[:20],
    }
    territory = None
    problem = ""
    if chosen["territoire"]:
        try:
            territory = territories_from_codes(chosen["territoire"])[0]
        except Exception as exc:  # a ValidationError: its message is French
            problem = " ".join(getattr(exc, "messages", [str(exc)]))
    if chosen["theme"] and chosen["theme"] not in dict(THEMES):
        problem = f"Thème inconnu : « {chosen['theme']} »."
    if chosen["type"] and chosen["type"] not in ReuseKind.values:
        problem = f"Type de réutilisation inconnu : « {chosen['type']} »."
    return chosen, territory, problem


@access("public")
def gallery(request: HttpRequest) -> HttpResponse:
    chosen, territory, problem = _filters(request)
    reuses = Reuse.objects.current()
    if problem:
        reuses = reuses.none()
    if territory is not None:
        reuses = reuses.concerning(territory)
    if chosen["theme"]:
        reuses = reuses.filter(theme=chosen["theme"])
    if chosen["type"]:
        reuses = reuses.filter(kind=chosen["type"])
    page = Paginator(reuses.for_gallery().prefetch_related("territories"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in chosen.items() if v})
    context = {
        "page": page,
        "chosen": chosen,
        "territory": territory,
        "problem": problem,
        "themes": THEMES,
        "kinds": ReuseKind.choices,
        "query": query,
        "figure": counts.of_territory(territory) if territory is not None and not problem else None,
        "teams": list(Atd.objects.of_user(request.user)),
    }
    return render(request, "reuses/gallery.html", context, status=400 if problem else 200)


@access("public")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    reuse = get_object_or_404(Reuse.objects.select_related("atd", "event", "event__atd"), pk=pk)
    context = {
        "reuse": reuse,
        "datasets": reuse.datasets.select_related("publisher", "source"),
        "territories": reuse.territories.all(),
        "teams": Atd.objects.of_user(request.user) if not request.user.is_staff else Atd.objects.all()[:50],
    }
    return render(request, "reuses/detail.html", context)


@access("public")
def image(request: HttpRequest, pk: int) -> FileResponse:
    reuse = get_object_or_404(Reuse, pk=pk)
    if not reuse.image or not reuse.image_type:
        raise Http404("pas d'image")
    try:
        handle = reuse.image.open("rb")
    except FileNotFoundError:
        raise Http404("image absente") from None
    response = FileResponse(handle, content_type=reuse.image_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@access("public")
def dataset_reuses(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(HarvestedDataset.objects.select_related("publisher", "source"), pk=pk)
    reuses = Reuse.objects.of_dataset(dataset).select_related("atd").order_by("archived_at", "-created_at")
    return render(request, "reuses/dataset.html", {"dataset": dataset, "reuses": reuses})


@access("public")
def perimeters(request: HttpRequest) -> HttpResponse:
    return render(request, "reuses/perimeters.html", counts.by_departement())


# --- The ATD team ---------------------------------------------------------------------------------------


def _editable(request: HttpRequest, pk: int) -> Reuse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    return get_object_or_404(Reuse.objects.filter(Q(atd=atd) | Q(atd__isnull=True)), pk=pk)


@access("atd_staff")
def team_list(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    reuses = Reuse.objects.filter(atd=atd).order_by("archived_at", "-created_at")
    corrected = Reuse.objects.filter(atd__isnull=True, corrected_at__isnull=False).order_by("-corrected_at")[
        :50
    ]
    return render(request, "reuses/team.html", {"atd": atd, "reuses": reuses, "corrected": corrected})


def _save(request: HttpRequest, atd: Atd, instance: Reuse | None) -> HttpResponse:
    form = ReuseForm(request.POST or None, request.FILES or None, atd=atd, instance=instance)
    if request.method == "POST" and form.is_valid():
        reuse = form.save_for(request.user)
        messages.success(request, "Réutilisation enregistrée.")
        return HttpResponseRedirect(reuse.get_absolute_url())
    context = {"atd": atd, "form": form, "reuse": instance}
    return render(request, "reuses/form.html", context, status=400 if form.errors else 200)


@access("atd_staff")
def reuse_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _save(request, request.atd, None)  # type: ignore[attr-defined]


@access("atd_staff")
def reuse_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _save(request, request.atd, _editable(request, pk))  # type: ignore[attr-defined]


# --- National observatories (coordinator) ---------------------------------------------------------------


@access("coordinator")
def observatories(request: HttpRequest) -> HttpResponse:
    form = ObservatoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Observatoire ajouté.")
        return HttpResponseRedirect(reverse("reuses:observatories"))
    context = {"observatories": NationalObservatory.objects.all(), "form": form}
    return render(request, "reuses/observatories.html", context, status=400 if form.errors else 200)


@access("coordinator")
def observatory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(NationalObservatory, pk=pk)
    if request.method == "POST" and request.POST.get("delete"):
        item.delete()
        messages.success(request, f"Observatoire « {item.name} » retiré de la liste.")
        return HttpResponseRedirect(reverse("reuses:observatories"))
    form = ObservatoryForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Observatoire enregistré.")
        return HttpResponseRedirect(reverse("reuses:observatories"))
    return render(
        request,
        "reuses/observatory_form.html",
        {"item": item, "form": form},
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("reutilisations/", gallery, name="gallery"),
    path("reutilisations/<int:pk>/", detail, name="detail"),
    path("reutilisations/<int:pk>/image", image, name="image"),
    path("reutilisations/jeux/<int:pk>/", dataset_reuses, name="dataset"),
    path("reutilisations/perimetres/", perimeters, name="perimeters"),
    path("suivi/<slug:slug>/reutilisations/", team_list, name="team"),
    path("suivi/<slug:slug>/reutilisations/nouvelle/", reuse_new, name="new"),
    path("suivi/<slug:slug>/reutilisations/<int:pk>/modifier/", reuse_edit, name="edit"),
    path("coordination/observatoires-nationaux/", observatories, name="observatories"),
    path("coordination/observatoires-nationaux/<int:pk>/", observatory_edit, name="observatory"),
]
