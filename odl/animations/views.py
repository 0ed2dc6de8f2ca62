"""Views of the animation planner: public catalogue, calendar and results; the ATD's events; collection.

Every event an ATD manages is looked up inside ``request.atd``, the ATD the ``atd_staff`` policy loaded
from the URL: an event of another ATD answers 404, so nobody acts on it in another ATD's name. The
collection page of a cartopartie is opened by its secret token only, without an account.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from odl.accounts.access import access
from odl.animations import agenda, collect, planning, to_dataset
from odl.animations.forms import EventForm, OutputForm, ParticipantForm
from odl.animations.models import (
    PROJECT_KINDS,
    CollectedPoint,
    Event,
    FollowUp,
    Format,
    PointStatus,
    ProjectFate,
)
from odl.atds.models import Atd, AtdMembership
from odl.core import exports

EVENT_COLUMNS = [
    "Titre", "Format", "Premier jour", "Dernier jour", "Lieu", "Commune", "ATD", "ETD associés",
    "Participants", "Tâches faites", "Tâches", "Productions", "Démonstration",
]  # fmt: skip


def _event(request: HttpRequest, pk: int) -> Event:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    return get_object_or_404(
        Event.objects.select_related("format", "atd", "commune", "organiser"), pk=pk, atd=atd
    )


# --- Public pages -------------------------------------------------------------------------------------


@access("public")
def format_list(request: HttpRequest) -> HttpResponse:
    return render(request, "animations/formats.html", {"formats": Format.objects.all()})


@access("public")
def format_detail(request: HttpRequest, format_slug: str) -> HttpResponse:
    fmt = get_object_or_404(Format, slug=format_slug)
    rows = planning.survival(Event.objects.filter(format=fmt), by="format")
    context = {
        "format": fmt,
        "survival": rows[0] if rows else None,
        "method": planning.SURVIVAL_METHOD,
        "teams": Atd.objects.of_user(request.user) if not request.user.is_staff else Atd.objects.all(),
    }
    return render(request, "animations/format.html", context)


@access("public")
def calendar_page(request: HttpRequest) -> HttpResponse:
    try:
        first = agenda.parse_month(request.GET.get("mois"))
    except agenda.MonthProblem as exc:
        return render(request, "animations/error.html", {"message": str(exc)}, status=400)
    start, end = agenda.grid_bounds(first)
    rows = agenda.entries(Event.objects.between(start, end))
    context = {"month": agenda.month(first, rows), "weekdays": agenda.WEEKDAYS}
    return render(request, "animations/calendar.html", context)


@access("public")
def calendar_feed(request: HttpRequest) -> HttpResponse:
    since = timezone.localdate().replace(day=1).replace(year=timezone.localdate().year - 1)
    events = Event.objects.filter(ends_on__gte=since)
    # icalendar is slow on thousands of events: the body is kept until an event changes (the key
    # follows the count, the highest id and the last modification: an edit, addition or deletion renews it).
    state = events.aggregate(count=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    last = state["last"].timestamp() if state["last"] else 0
    key = f"animations-ics-{since:%Y%m%d}-{state['count']}-{state['top']}-{last}"
    body = cache.get(key)
    if body is None:
        site_url = str(settings.SITE_URL).rstrip("/")
        host = urlsplit(site_url).hostname or "opendatalocale"
        body = agenda.ical("Animations OpenDataLocale", events.for_calendar(), site_url, host)
        cache.set(key, body, 3600)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="animations.ics"'
    return response


@access("public")
def event_public(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("format", "atd", "commune"), pk=pk)
    context = {
        "event": event,
        "outputs": event.outputs.all(),
        "etds": event.etds.select_related("territory"),
        "datasets": event.datasets.all(),
    }
    return render(request, "animations/event_public.html", context)


@access("public")
def results(request: HttpRequest) -> HttpResponse:
    events = Event.objects.all()
    by_format = planning.survival(events, by="format")
    context = {
        "by_format": by_format,
        "by_atd": planning.survival(events, by="atd"),
        "total": planning.overall(by_format),
        "method": planning.SURVIVAL_METHOD,
    }
    return render(request, "animations/results.html", context)


# --- The ATD's events ----------------------------------------------------------------------------------


@access("atd_staff")
def event_list(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    events = Event.objects.of_atd(atd).select_related("format", "atd")
    survival = planning.survival(events, by="atd")
    context = {
        "atd": atd,
        "events": events,
        "todo": planning.due_followups(events),
        "survival": survival[0] if survival else None,
        "by_format": planning.survival(events, by="format"),
        "method": planning.SURVIVAL_METHOD,
        "formats": exports.FORMAT_LABELS,
        "catalogue": Format.objects.all(),
    }
    return render(request, "animations/events.html", context)


@access("atd_staff")
def events_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx", "ods"):
        raise Http404("format inconnu")
    atd: Atd = request.atd  # type: ignore[attr-defined]
    events = (
        Event.objects.of_atd(atd)
        .select_related("format", "atd", "commune")
        .prefetch_related("etds__territory", "tasks", "outputs")
        .order_by("starts_on")
    )
    rows = [
        [
            e.title,
            e.format.name,
            e.starts_on.isoformat(),
            e.ends_on.isoformat(),
            e.place,
            e.commune.nom if e.commune else "",
            e.atd.name,
            ", ".join(etd.territory.nom for etd in e.etds.all()),
            e.participants_count,
            sum(1 for t in e.tasks.all() if t.done),
            len(e.tasks.all()),
            len(e.outputs.all()),
            "oui" if e.demo else "non",
        ]  # fmt: skip
        for e in events
    ]
    response = HttpResponse(exports.render(fmt, EVENT_COLUMNS, rows), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="animations-{atd.slug}.{fmt}"'
    return response


def _save_event(request: HttpRequest, atd: Atd, instance: Event | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    chosen = Format.objects.filter(slug=request.GET.get("format", "")).first()
    if instance is None and chosen is not None:
        initial = {"format": chosen, "title": f"{chosen.name} – {atd.name}"}
    form = EventForm(request.POST or None, atd=atd, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        creating = instance is None
        if creating:
            form.instance.organiser = request.user
        event = form.save()
        if creating:
            tasks = planning.generate_checklist(event)
            messages.success(request, f"Événement créé, avec {len(tasks)} tâche(s) de retroplanning.")
        else:
            moved = planning.reschedule(event)
            messages.success(request, f"Événement enregistré ; {moved} échéance(s) recalculée(s).")
        planning.schedule_followups(event)
        return HttpResponseRedirect(event.get_absolute_url())
    context = {"atd": atd, "form": form, "event": instance, "chosen": chosen}
    return render(request, "animations/event_form.html", context, status=400 if form.errors else 200)


@access("atd_staff")
def event_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _save_event(request, request.atd, None)  # type: ignore[attr-defined]


@access("atd_staff")
def event_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _save_event(request, request.atd, _event(request, pk))  # type: ignore[attr-defined]


def _team(atd: Atd) -> list[Any]:
    return [
        m.user
        for m in AtdMembership.objects.filter(atd=atd).select_related("user").order_by("user__username")
    ]


@access("atd_staff")
def event_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    context = {
        "atd": event.atd,
        "event": event,
        "tasks": event.tasks.select_related("owner"),
        "team": _team(event.atd),
        "participants": event.participants.all(),
        "outputs": event.outputs.all(),
        "followups": event.followups.all(),
        "today": timezone.localdate(),
        "participant_form": ParticipantForm(),
        "output_form": OutputForm(),
        "etds": event.etds.select_related("territory"),
        "datasets": event.datasets.all(),
        "collect_url": request.build_absolute_uri(reverse("animations:collect", args=[event.collect_token])),
        "pending_points": event.points.filter(status=PointStatus.PENDING).count(),
    }
    return render(request, "animations/event.html", context)


@access("atd_staff")
@require_POST
def checklist(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    done = {int(v) for v in request.POST.getlist("done") if v.isdigit()}
    owners: dict[int, int | None] = {}
    for key in request.POST:
        if key.startswith("owner-") and key[6:].isdigit():
            value = request.POST.get(key, "")
            owners[int(key[6:])] = int(value) if value.isdigit() else None
    allowed = {u.pk for u in _team(event.atd)}
    changed = planning.tick(event, done, owners, allowed)
    messages.success(request, f"Retroplanning enregistré ({changed} tâche(s) modifiée(s)).")
    return HttpResponseRedirect(event.get_absolute_url() + "#retroplanning")


def _add_to_event(request: HttpRequest, pk: int, form_class: Any, done: str, anchor: str) -> HttpResponse:
    """Add one participant or output to the event; each refusal becomes a French message naming its field."""
    event = _event(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        form.instance.event = event
        form.save()
        messages.success(request, done)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else str(error))
    return HttpResponseRedirect(f"{event.get_absolute_url()}#{anchor}")


@access("atd_staff")
@require_POST
def participant_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _add_to_event(request, pk, ParticipantForm, "Participant ajouté.", "participants")


@access("atd_staff")
@require_POST
def output_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _add_to_event(request, pk, OutputForm, "Production ajoutée.", "productions")


@access("atd_staff")
def followup(request: HttpRequest, slug: str, pk: int, months: int) -> HttpResponse:
    event = _event(request, pk)
    item = get_object_or_404(FollowUp, event=event, months=months)
    projects = list(event.outputs.filter(kind__in=PROJECT_KINDS))
    if request.method == "POST":
        fates = {p.pk: request.POST.get(f"fate-{p.pk}", "") for p in projects}
        missing = [p.title for p in projects if fates[p.pk] not in ProjectFate.values]
        if missing:
            messages.error(request, f"Indiquez le devenir de chaque projet : {', '.join(missing)}.")
        else:
            planning.answer_followup(item, fates, request.user)
            messages.success(request, f"Suivi à {months} mois enregistré. Merci !")
            return HttpResponseRedirect(event.get_absolute_url() + "#suivi")
    current = dict(item.statuses.values_list("output_id", "fate"))
    context = {
        "atd": event.atd,
        "event": event,
        "followup": item,
        "rows": [(p, current.get(p.pk, "")) for p in projects],
        "fates": ProjectFate.choices,
    }
    return render(
        request, "animations/followup.html", context, status=400 if request.method == "POST" else 200
    )


@access("atd_staff")
def points(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        point_id = request.POST.get("point", "")
        status = {"accept": PointStatus.ACCEPTED, "reject": PointStatus.REJECTED}.get(decision or "")
        if status is None or not point_id.isdigit():
            messages.error(request, "Décision inconnue : choisissez « Accepter » ou « Refuser » un point.")
        else:
            updated = CollectedPoint.objects.filter(event=event, pk=int(point_id)).update(
                status=status, reviewed_at=timezone.now()
            )
            messages.success(request, "Décision enregistrée." if updated else "Point introuvable.")
        return HttpResponseRedirect(reverse("animations:points", args=[event.atd.slug, event.pk]))
    fields, origin = collect.form_fields(event.collect_schema)
    context = {
        "atd": event.atd,
        "event": event,
        "points": event.points.all(),
        "fields": fields,
        "origin": origin,
        "etds": event.etds.select_related("territory").order_by("territory__nom"),
    }
    return render(request, "animations/points.html", context)


@access("atd_staff")
@require_POST
def points_to_dataset(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The accepted points, imported into the data space of one of the event's collectivités."""
    event = _event(request, pk)
    etd_id = request.POST.get("etd", "")
    etd = event.etds.select_related("territory").filter(pk=int(etd_id)).first() if etd_id.isdigit() else None
    if etd is None:
        messages.error(request, "Choisissez l'une des collectivités associées à l'événement.")
        return HttpResponseRedirect(reverse("animations:points", args=[event.atd.slug, event.pk]))
    try:
        draft = to_dataset.start(event, etd, request.user)
    except to_dataset.CannotConvert as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("animations:points", args=[event.atd.slug, event.pk]))
    messages.success(
        request,
        f"Les points acceptés sont importés dans l'espace de données de {etd.territory.nom} : "
        "vérifiez la correspondance des colonnes, puis publiez.",
    )
    return HttpResponseRedirect(
        reverse("publishing:import_mapping", args=[event.atd.slug, etd.pk, draft.dataset_id, draft.pk])
    )


@access("atd_staff")
def points_export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    event = _event(request, pk)
    accepted = list(event.points.filter(status=PointStatus.ACCEPTED))
    writers = {
        "csv": (collect.to_csv, "text/csv; charset=utf-8"),
        "geojson": (collect.to_geojson, "application/geo+json"),
        "osm": (collect.to_osm, "application/vnd.openstreetmap.data+xml"),
    }
    if fmt not in writers:
        raise Http404("format inconnu")
    writer, content_type = writers[fmt]
    response = HttpResponse(writer(accepted), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="cartopartie-{event.pk}.{fmt}"'
    return response


# --- Collection (no account) ---------------------------------------------------------------------------


@access("token")
def collect_page(request: HttpRequest, token: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("format", "atd"), collect_token=token)
    if not event.format.is_cartopartie:
        raise Http404("pas de collecte pour cet événement")
    fields, origin = collect.form_fields(event.collect_schema)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if request.method == "POST":
        client_id = (request.POST.get("client_id") or uuid.uuid4().hex)[:64]
        try:
            checked = collect.check_point(event, request.POST.dict(), fields)
        except collect.PointProblem as exc:
            if wants_json:
                return JsonResponse({"ok": False, "error": str(exc)}, status=400)
            context = {
                "event": event,
                "fields": fields,
                "origin": origin,
                "error": str(exc),
                "data": request.POST,
            }
            return render(request, "animations/collect.html", _collect_context(context), status=400)
        point, created = collect.store(event, checked, client_id, request.POST.get("contributor", ""))
        if wants_json:
            return JsonResponse({"ok": True, "created": created, "id": point.pk})
        messages.success(request, f"Point « {point.name} » enregistré, merci !")
        return HttpResponseRedirect(reverse("animations:collect", args=[token]))
    context = {"event": event, "fields": fields, "origin": origin, "error": "", "data": {}}
    return render(request, "animations/collect.html", _collect_context(context))


def _collect_context(context: dict[str, Any]) -> dict[str, Any]:
    event: Event = context["event"]
    context["map"] = {
        "tiles": settings.ODL_ANIMATIONS_TILES_URL,
        "attribution": settings.ODL_ANIMATIONS_TILES_ATTRIBUTION,
        "area": [event.south, event.west, event.north, event.east] if event.has_area else None,
        "points": [[p.lat, p.lon, p.name] for p in event.points.exclude(status=PointStatus.REJECTED)[:2000]],
    }
    return context


urlpatterns = [
    path("animations/formats/", format_list, name="formats"),
    path("animations/formats/<slug:format_slug>/", format_detail, name="format"),
    path("animations/agenda/", calendar_page, name="calendar"),
    path("animations/agenda.ics", calendar_feed, name="calendar_feed"),
    path("animations/bilan/", results, name="results"),
    path("animations/evenements/<int:pk>/", event_public, name="event_public"),
    path("animations/collecte/<str:token>/", collect_page, name="collect"),
    path("suivi/<slug:slug>/animations/", event_list, name="events"),
    path("suivi/<slug:slug>/animations/export.<str:fmt>", events_export, name="events_export"),
    path("suivi/<slug:slug>/animations/nouveau/", event_new, name="event_new"),
    path("suivi/<slug:slug>/animations/<int:pk>/", event_detail, name="event"),
    path("suivi/<slug:slug>/animations/<int:pk>/modifier/", event_edit, name="event_edit"),
    path("suivi/<slug:slug>/animations/<int:pk>/retroplanning/", checklist, name="checklist"),
    path("suivi/<slug:slug>/animations/<int:pk>/participants/", participant_add, name="participant_add"),
    path("suivi/<slug:slug>/animations/<int:pk>/productions/", output_add, name="output_add"),
    path("suivi/<slug:slug>/animations/<int:pk>/suivi/<int:months>/", followup, name="followup"),
    path("suivi/<slug:slug>/animations/<int:pk>/points/", points, name="points"),
    path("suivi/<slug:slug>/animations/<int:pk>/points.<str:fmt>", points_export, name="points_export"),
    path("suivi/<slug:slug>/animations/<int:pk>/points/jeu/", points_to_dataset, name="points_to_dataset"),
]
