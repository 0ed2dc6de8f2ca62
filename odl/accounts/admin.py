from django.contrib import admin

from odl.accounts.models import ApiToken, EtdAgent, Invitation


@admin.register(EtdAgent)
class EtdAgentAdmin(admin.ModelAdmin):
    list_display = ("user", "territory", "atd")
    raw_id_fields = ("user", "territory")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "atd", "role", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("token_hash",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("hint", "token_hash", "last_used_at")
    raw_id_fields = ("user",)
