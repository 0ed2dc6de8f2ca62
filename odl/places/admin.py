"""The coordinator can also correct a place in Django's admin."""

from django.contrib import admin

from odl.places.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "origin", "atd"]
    list_filter = ["kind", "origin"]
    search_fields = ["name", "remote_id"]
    raw_id_fields = ["commune", "atd"]
