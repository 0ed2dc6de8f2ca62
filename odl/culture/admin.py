"""The national coordinator edits the question bank and the recommendation rules here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from odl.culture.models import Campaign, Domain, Item, Rule


class CoordinatorAccess:
    """Every national coordinator (a staff user, ``odl.accounts.roles``) edits the questionnaire, without
    Django permissions to hand out one by one."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


class ItemInline(CoordinatorAccess, admin.StackedInline):
    model = Item
    extra = 0
    fields = ["code", "kind", "text", "options", "correct_option", "position", "active"]
    # Answers hold on to their question: retire it (« actif » unticked) instead of deleting it.
    can_delete = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Domain)
class DomainAdmin(CoordinatorAccess, admin.ModelAdmin):
    list_display = ["label", "code", "position"]
    list_editable = ["position"]
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(CoordinatorAccess, admin.ModelAdmin):
    list_display = ["code", "text", "domain", "kind", "active"]
    list_filter = ["domain", "kind", "active"]
    search_fields = ["code", "text"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(CoordinatorAccess, admin.ModelAdmin):
    list_display = ["title", "domain", "operator", "threshold", "scope", "action", "active", "position"]
    list_filter = ["scope", "action", "active", "domain"]
    list_editable = ["active", "position"]
    raw_id_fields = ["resource"]


@admin.register(Campaign)
class CampaignAdmin(CoordinatorAccess, admin.ModelAdmin):
    list_display = ["title", "atd", "etd", "closes_on", "anonymous"]
    list_filter = ["atd", "anonymous"]
    readonly_fields = ["token"]
