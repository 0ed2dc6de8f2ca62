"""The coordinator can also correct a reuse or an observatory in Django's admin."""

from django.contrib import admin

from odl.reuses.models import NationalObservatory, Reuse


@admin.register(Reuse)
class ReuseAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "origin", "atd", "archived_at", "created_at"]
    list_filter = ["kind", "origin", "theme"]
    search_fields = ["title", "author", "remote_id"]
    raw_id_fields = ["datasets", "territories", "event", "atd"]


@admin.register(NationalObservatory)
class NationalObservatoryAdmin(admin.ModelAdmin):
    list_display = ["name", "theme", "scope", "position", "active"]
