from django.contrib import admin

from odl.accounts.models import EtdAgent, Invitation


@admin.register(EtdAgent)
class EtdAgentAdmin(admin.ModelAdmin):
    list_display = ("user", "territory", "atd")
    raw_id_fields = ("user", "territory")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "atd", "role", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("token_hash",)
