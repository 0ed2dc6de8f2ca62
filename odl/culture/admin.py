"""The national coordinator edits the question bank and the recommendation rules here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from odl.culture.models import Campaign, Domain, Item, Rule


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0
    fields = ["code", "kind", "text", "options", "correct_option", "position", "active"]
    # Answers hold on to their question: retire it (« actif » unticked) instead of deleting it.
    can_delete = False


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "position"]
    list_editable = ["position"]
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "domain", "kind", "active"]
    list_filter = ["domain", "kind", "active"]
    search_fields = ["code", "text"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["title", "domain", "operator", "threshold", "scope", "action", "active", "position"]
    list_filter = ["scope", "action", "active", "domain"]
    list_editable = ["active", "position"]
    raw_id_fields = ["resource"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "atd", "etd", "closes_on", "anonymous"]
    list_filter = ["atd", "anonymous"]
    readonly_fields = ["token"]
