"""The coordinator edits the fiches (and can correct an event) in Django's admin."""

from django.contrib import admin

from odl.animations.models import Event, Format, Task


@admin.register(Format)
class FormatAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "participants_min", "participants_max", "duration", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    # The slug is what the questionnaire recommends: it is shown, never changed here.
    readonly_fields = ["slug", "updated_at"]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["title", "offset_days", "due_on", "owner", "done"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "format", "atd", "starts_on", "ends_on", "demo"]
    list_filter = ["format", "atd", "demo"]
    search_fields = ["title", "place"]
    raw_id_fields = ["etds", "datasets", "commune", "organiser"]
    inlines = [TaskInline]
