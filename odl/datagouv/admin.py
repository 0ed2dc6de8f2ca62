"""The coordinator reads the links, pushes and calls in Django's admin; keys are set on the site only."""

from django.contrib import admin

from odl.datagouv.models import ApiCall, DatagouvLink, Push


@admin.register(DatagouvLink)
class DatagouvLinkAdmin(admin.ModelAdmin):
    # The key (``secret``) is not editable: it is set on the collectivité's data.gouv.fr page only.
    list_display = ["territory", "organization_name", "key_status", "key_set_at"]
    search_fields = ["territory__nom", "territory__siren", "organization_name"]
    raw_id_fields = ["territory"]
    readonly_fields = ["key_set_at", "key_set_by", "key_status"]


@admin.register(Push)
class PushAdmin(admin.ModelAdmin):
    list_display = ["title", "link", "status", "attempts", "created_at"]
    list_filter = ["status", "dry_run"]


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "method", "url", "status", "duration_ms"]
    list_filter = ["method", "status"]
