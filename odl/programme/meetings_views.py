"""Views of the programme: the monthly meetings of an ATD, their attendance and the private iCal feeds.

Every meeting is looked up inside ``request.atd``, the ATD the ``atd_staff`` policy loaded from the URL:
a meeting id of another ATD answers 404, so nobody can act on a meeting in another ATD's name.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from odl.accounts.access import access
from odl.atds.models import Atd
from odl.core import exports
from odl.programme import meetings
from odl.programme.models import Attendance, AttendanceStatus, CalendarFeed, Meeting


class MeetingForm(forms.Form):
    title = forms.CharField(label="Titre", max_length=200, initial="Point mensuel")
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label="Heure de début", initial="10:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(label="Durée (minutes)", min_value=5, max_value=600, initial=60)
    location = forms.CharField(
        label="Lieu ou lien de visioconférence",
        max_length=500,
        required=False,
        help_text="une adresse, une salle ou un lien https://…",
    )
    agenda = forms.CharField(
        label="Ordre du jour",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown : « - » pour une liste, **gras**, [lien](https://…)",
    )

    def fields_value(self) -> meetings.MeetingFields:
        data = self.cleaned_data
        return meetings.MeetingFields(
            title=data["title"],
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            agenda=data["agenda"],
        )


class ScheduleForm(MeetingForm):
    repeat = forms.ChoiceField(
        label="Récurrence", choices=meetings.Repeat.CHOICES, initial=meetings.Repeat.NONE
    )
    count = forms.IntegerField(
        label="Nombre de réunions",
        min_value=1,
        max_value=meetings.MAX_OCCURRENCES,
        initial=12,
        help_text="pour une récurrence : combien de mois",
    )


class EditForm(MeetingForm):
    whole_series = forms.BooleanField(
        label="Appliquer aussi aux réunions suivantes de la série (chacune garde sa date)", required=False
    )


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    # Only inside the ATD of the URL (checked by the policy): another ATD's meeting is not found.
    atd: Atd = request.atd  # type: ignore[attr-defined]
    return get_object_or_404(Meeting.objects.select_related("atd"), pk=pk, atd=atd)


def _back_to(request: HttpRequest, meeting: Meeting, done: str) -> HttpResponse:
    messages.success(request, done)
    return HttpResponseRedirect(meeting.get_absolute_url())


def _feed_url(request: HttpRequest, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("programme:feed", args=[feed.token]))


@access("atd_staff")
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        repeat = data["repeat"]
        try:
            created = meetings.schedule(
                atd,
                by=request.user,
                first=data["day"],
                time=data["time"],
                fields=form.fields_value(),
                repeat=repeat,
                count=data["count"] if repeat != meetings.Repeat.NONE else 1,
            )
        except meetings.MeetingProblem as exc:
            form.add_error(None, str(exc))
        else:
            _warn_removed(request, "Dans l'ordre du jour", data["agenda"])
            messages.success(request, f"{len(created)} réunion(s) programmée(s).")
            return HttpResponseRedirect(reverse("programme:meetings", args=[atd.slug]))
    now = timezone.now()
    context: dict[str, Any] = {
        "atd": atd,
        "form": form,
        "upcoming": Meeting.objects.filter(atd=atd).upcoming(now),
        "past": Meeting.objects.filter(atd=atd).held(now),
        "rates": meetings.attendance_rates(atd.etds.active().select_related("territory", "atd"), now),
        "atd_feed_url": _feed_url(request, meetings.atd_feed(atd)),
        "user_feed_url": _feed_url(request, meetings.user_feed(request.user)),
        "formats": exports.FORMAT_LABELS,
    }
    return render(request, "programme/meetings/list.html", context, status=400 if form.errors else 200)


@access("atd_staff")
def attendance_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx", "ods"):
        raise Http404("format inconnu")
    atd: Atd = request.atd  # type: ignore[attr-defined]
    rates = meetings.attendance_rates(atd.etds.active().select_related("territory", "atd"))
    response = HttpResponse(
        exports.render(fmt, meetings.RATE_COLUMNS, meetings.rate_rows(rates)),
        content_type=exports.CONTENT_TYPES[fmt],
    )
    response["Content-Disposition"] = f'attachment; filename="presence-{atd.slug}.{fmt}"'
    return response


@access("atd_staff")
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("etd_id", "status"))
    etds = list(meeting.atd.etds.active().select_related("territory"))
    context = {
        "atd": meeting.atd,
        "meeting": meeting,
        "agenda_html": meetings.render_markdown(meeting.agenda),
        "minutes_html": meetings.render_markdown(meeting.minutes),
        "location_url": meetings.location_link(meeting.location),
        "rows": [(etd, statuses.get(etd.pk, "")) for etd in etds],
        "status_choices": AttendanceStatus.choices,
        "is_past": meeting.starts_at < timezone.now(),
    }
    return render(request, "programme/meetings/detail.html", context)


@access("atd_staff")
def meeting_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    local = timezone.localtime(meeting.starts_at, meetings.PARIS)
    initial = {
        "title": meeting.title,
        "day": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "duration_minutes": meeting.duration_minutes,
        "location": meeting.location,
        "agenda": meeting.agenda,
    }
    form = EditForm(request.POST or None, initial=initial)
    if not meeting.series:
        del form.fields["whole_series"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = meetings.update(
            meeting,
            form.fields_value(),
            day=data["day"],
            time=data["time"],
            whole_series=bool(data.get("whole_series")),
        )
        _warn_removed(request, "Dans l'ordre du jour", data["agenda"])
        messages.success(request, f"{changed} réunion(s) modifiée(s).")
        return HttpResponseRedirect(meeting.get_absolute_url())
    context = {"atd": meeting.atd, "meeting": meeting, "form": form}
    return render(request, "programme/meetings/edit.html", context, status=400 if form.errors else 200)


@access("atd_staff")
@require_POST
def meeting_minutes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    minutes = request.POST.get("minutes", "")
    if len(minutes) > meetings.MAX_TEXT:
        # Refused whole rather than cut: the stored minutes stay as they were.
        messages.error(
            request,
            f"Compte rendu non enregistré : {len(minutes):,} caractères, au-delà de la limite de "
            f"{meetings.MAX_TEXT:,} ; le compte rendu précédent est conservé.".replace(",", " "),
        )
        return HttpResponseRedirect(meeting.get_absolute_url())
    meetings.save_minutes(meeting, minutes)
    _warn_removed(request, "Dans le compte rendu", minutes)
    return _back_to(request, meeting, "Compte rendu enregistré.")


def _warn_removed(request: HttpRequest, where: str, text: str) -> None:
    """Say what the display drops from what was typed (kept as typed in the database)."""
    removed = meetings.removed_markup(text)
    if removed:
        messages.warning(
            request,
            f"{where}, {', '.join(removed)} ne s'affiche pas : par sécurité, seuls le Markdown et les "
            "liens http, https et mailto sont affichés. Le texte est enregistré tel que saisi.",
        )


@access("atd_staff")
@require_POST
def meeting_attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    # One select per ETD, named etd-<id>; record_attendance ignores ids outside the meeting's ATD.
    statuses = {
        int(key[4:]): request.POST.get(key, "")
        for key in request.POST
        if key.startswith("etd-") and key[4:].isdigit()
    }
    meetings.record_attendance(meeting, statuses)
    return _back_to(request, meeting, "Présences enregistrées.")


@access("atd_staff")
@require_POST
def meeting_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    whole_series = request.POST.get("scope") == "series" and bool(meeting.series)
    targets = (
        Meeting.objects.rest_of_series(meeting) if whole_series else Meeting.objects.filter(pk=meeting.pk)
    )
    count = targets.delete()[1].get("programme.Meeting", 0)
    messages.success(request, f"{count} réunion(s) supprimée(s).")
    return HttpResponseRedirect(reverse("programme:meetings", args=[meeting.atd.slug]))


@access("atd_staff")
@require_POST
def feed_renew(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    if request.POST.get("feed") == "atd":
        meetings.renew(meetings.atd_feed(atd))
        messages.success(request, "Nouvelle adresse du calendrier de l'ATD : l'ancienne ne fonctionne plus.")
    elif request.POST.get("feed") == "user":
        meetings.renew(meetings.user_feed(request.user))
        messages.success(
            request, "Nouvelle adresse de votre calendrier personnel : l'ancienne ne fonctionne plus."
        )
    else:
        raise PermissionDenied("Calendrier inconnu.")
    return HttpResponseRedirect(reverse("programme:meetings", args=[atd.slug]))


@access("token")
def feed(request: HttpRequest, token: str) -> HttpResponse:
    # The token is the only key: an unknown or renewed one is simply not found.
    calendar_feed = get_object_or_404(CalendarFeed.objects.select_related("atd", "user"), token=token)
    name, atd_ids = meetings.feed_atds(calendar_feed)
    since = timezone.now() - datetime.timedelta(days=365)
    rows = Meeting.objects.of_atds(atd_ids).filter(starts_at__gte=since)
    site_url = str(settings.SITE_URL).rstrip("/")
    # UIDs name the platform, not the address a calendar used: they never change for one meeting.
    body = meetings.calendar(name, rows, site_url, urlsplit(site_url).hostname or "opendatalocale")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reunions.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns = [
    path("suivi/<slug:slug>/reunions/", meeting_list, name="meetings"),
    path(
        "suivi/<slug:slug>/reunions/presence.<str:fmt>", attendance_export, name="meetings_attendance_export"
    ),
    path("suivi/<slug:slug>/reunions/flux/renouveler/", feed_renew, name="feed_renew"),
    path("suivi/<slug:slug>/reunions/<int:pk>/", meeting_detail, name="meeting"),
    path("suivi/<slug:slug>/reunions/<int:pk>/modifier/", meeting_edit, name="meeting_edit"),
    path("suivi/<slug:slug>/reunions/<int:pk>/compte-rendu/", meeting_minutes, name="meeting_minutes"),
    path("suivi/<slug:slug>/reunions/<int:pk>/presences/", meeting_attendance, name="meeting_attendance"),
    path("suivi/<slug:slug>/reunions/<int:pk>/supprimer/", meeting_delete, name="meeting_delete"),
    path("agenda/<str:token>.ics", feed, name="feed"),
]
