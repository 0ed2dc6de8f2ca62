"""Views of the programme: the shared document space (fiches, modèles, supports, tutoriels, retours).

``/ressources/`` is public: national resources are for everyone, visitors included, as the programme's
kit is; a signed-in user also sees the resources of the ATDs and collectivités they belong to
(``Resource.objects.visible_to``). Pages of one resource and its downloads use the ``public`` policy,
the closest one, because who may see them depends on the resource itself: the view checks it and
answers 404 to a signed-in user who may not (so nobody learns what another ATD keeps), or sends a
visitor to sign in. Files are only served through these views, never from a public media address.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from odl.accounts.access import access
from odl.accounts.roles import can_follow
from odl.atds.models import Atd
from odl.core import exports
from odl.programme import resources
from odl.programme.models import Etd, Licence, Resource, ResourceKind, Visibility

# A multipart body carries a few form fields besides the file.
FORM_OVERHEAD_BYTES = 64 * 1024


class ResourceForm(forms.Form):
    title = forms.CharField(label="Titre", max_length=300)
    kind = forms.ChoiceField(label="Type de ressource", choices=ResourceKind.choices)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    licence = forms.ChoiceField(label="Licence", choices=Licence.choices, initial=Licence.CC_BY_SA)
    tags = forms.CharField(
        label="Mots-clés",
        required=False,
        max_length=600,
        help_text="séparés par des virgules : budget, subventions",
    )
    visibility = forms.ChoiceField(
        label="Qui peut la voir", choices=Visibility.choices, initial=Visibility.ATD
    )
    etd = forms.ModelChoiceField(
        label="Collectivité (pour une ressource réservée à une collectivité)",
        queryset=Etd.objects.none(),
        required=False,
    )
    file = forms.FileField(label="Fichier", help_text=resources.ACCEPTED_TEXT)
    note = forms.CharField(label="Note de version", required=False, max_length=500)

    def __init__(self, *args: Any, atd: Atd, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["etd"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = atd.etds.active().select_related("territory")
        field.label_from_instance = _etd_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("visibility") == Visibility.ETD and not data.get("etd"):
            self.add_error("etd", "Choisissez la collectivité qui pourra voir cette ressource.")
        return data


def _etd_label(etd: Etd) -> str:
    return etd.territory.nom


class VersionForm(forms.Form):
    file = forms.FileField(label="Nouveau fichier", help_text=resources.ACCEPTED_TEXT)
    note = forms.CharField(label="Ce qui change", max_length=500)


def _too_large(request: HttpRequest) -> str:
    """The refusal when the declared body is larger than the limit allows, before any byte is read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > resources.max_bytes() + FORM_OVERHEAD_BYTES:
        return (
            f"Le fichier envoyé pèse environ {resources.size_label(declared)} : la limite est de "
            f"{resources.size_label(resources.max_bytes())}. Rien n'a été enregistré."
        )
    return ""


def _read_upload(form: forms.Form) -> tuple[bytes, str]:
    upload = form.cleaned_data["file"]
    resources.check_size(upload.size)
    return upload.read(), upload.name


def _visible_resource(request: HttpRequest, pk: int) -> Resource | HttpResponse:
    resource = (
        Resource.objects.visible_to(request.user)
        .select_related("atd", "etd__territory")
        .filter(pk=pk)
        .first()
    )
    if resource is not None:
        return resource
    if not request.user.is_authenticated and Resource.objects.filter(pk=pk).exists():
        return redirect_to_login(request.get_full_path())
    raise Http404("Ressource introuvable.")


def _can_manage(request: HttpRequest, resource: Resource) -> bool:
    return resource.atd is not None and can_follow(request.user, resource.atd)


@access("public")
def resource_list(request: HttpRequest) -> HttpResponse:
    query = resources.Search(text=request.GET.get("q", "").strip(), kind=request.GET.get("type", ""))
    if query.kind not in ResourceKind.values:
        query.kind = ""
    found = resources.search(Resource.objects.visible_to(request.user), query)
    context = {
        "resources": found,
        "query": query,
        "kinds": ResourceKind.choices,
        "query_string": request.GET.urlencode(),
        "my_atds": Atd.objects.of_user(request.user),
        "formats": exports.FORMAT_LABELS,
    }
    return render(request, "programme/resources/list.html", context)


@access("public")
def resource_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx", "ods"):
        raise Http404("format inconnu")
    query = resources.Search(text=request.GET.get("q", "").strip(), kind=request.GET.get("type", ""))
    found = resources.search(Resource.objects.visible_to(request.user), query)
    data = exports.render(fmt, resources.EXPORT_COLUMNS, resources.export_rows(found))
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="ressources.{fmt}"'
    return response


@access("public")
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Public policy, visibility checked here: it depends on the resource (see the module docstring).
    resource = _visible_resource(request, pk)
    if isinstance(resource, HttpResponse):
        return resource
    context = {
        "resource": resource,
        "versions": resource.versions.all(),
        "can_manage": _can_manage(request, resource),
    }
    return render(request, "programme/resources/detail.html", context)


@access("public")
def resource_download(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    # Public policy, visibility checked here: it depends on the resource (see the module docstring).
    resource = _visible_resource(request, pk)
    if isinstance(resource, HttpResponse):
        return resource
    stored = get_object_or_404(resource.versions, version=version)
    extension = resources.EXTENSIONS.get(stored.content_type, "bin")
    filename = f"{slugify(resource.title)[:80] or 'ressource'}-v{stored.version}.{extension}"
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=filename, content_type=stored.content_type
    )
    # A streamed file, not an HttpResponse: the access decorator's type only knows the latter.
    return cast(HttpResponse, response)


# The two upload views are exempted from the CSRF middleware only so that an oversized body is refused
# from its Content-Length before anything reads it (the middleware would parse the whole upload to find
# the token); the token is then checked by csrf_protect on the inner view, as for any form.
@access("atd_staff")
@csrf_exempt
def resource_new(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    refusal = _too_large(request) if request.method == "POST" else ""
    if refusal:
        context = {"atd": atd, "form": ResourceForm(atd=atd), "refusal": refusal}
        return render(request, "programme/resources/new.html", context, status=413)
    return _resource_new(request, atd)


@csrf_protect
def _resource_new(request: HttpRequest, atd: Atd) -> HttpResponse:
    form = ResourceForm(request.POST or None, request.FILES or None, atd=atd)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visibility = data["visibility"]
        try:
            content, name = _read_upload(form)
            # One transaction: a refused file leaves no resource without a version behind.
            with transaction.atomic():
                resource = Resource.objects.create(
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    licence=data["licence"],
                    tags=resources.parse_tags(data["tags"]),
                    visibility=visibility,
                    atd=atd,
                    etd=data["etd"] if visibility == Visibility.ETD else None,
                    created_by=request.user if request.user.is_authenticated else None,
                )
                resources.add_version(
                    resource, content, name, by=request.user, note=data["note"] or "Première version"
                )
        except resources.ResourceProblem as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"Ressource « {resource.title} » déposée.")
            return HttpResponseRedirect(reverse("programme:resource", args=[resource.pk]))
    status = 400 if form.errors else 200
    return render(request, "programme/resources/new.html", {"atd": atd, "form": form}, status=status)


@access("atd_staff")
@csrf_exempt
def resource_new_version(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    # Only the ATD that holds the resource may add a version: another one's is not found.
    resource = get_object_or_404(Resource, pk=pk, atd=atd)
    refusal = _too_large(request) if request.method == "POST" else ""
    if refusal:
        context = {"atd": atd, "resource": resource, "form": VersionForm(), "refusal": refusal}
        return render(request, "programme/resources/version.html", context, status=413)
    return _resource_new_version(request, atd, resource)


@csrf_protect
def _resource_new_version(request: HttpRequest, atd: Atd, resource: Resource) -> HttpResponse:
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            content, name = _read_upload(form)
            version = resources.add_version(
                resource, content, name, by=request.user, note=form.cleaned_data["note"]
            )
        except resources.ResourceProblem as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request, f"Version {version.version} déposée ; les précédentes restent téléchargeables."
            )
            return HttpResponseRedirect(reverse("programme:resource", args=[resource.pk]))
    context = {"atd": atd, "resource": resource, "form": form}
    return render(request, "programme/resources/version.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("ressources/", resource_list, name="resources"),
    path("ressources/export.<str:fmt>", resource_export, name="resources_export"),
    path("ressources/<int:pk>/", resource_detail, name="resource"),
    path("ressources/<int:pk>/v<int:version>/", resource_download, name="resource_download"),
    path("suivi/<slug:slug>/ressources/nouvelle/", resource_new, name="resource_new"),
    path("suivi/<slug:slug>/ressources/<int:pk>/version/", resource_new_version, name="resource_new_version"),
]
