from django.contrib import admin

from odl.atds.models import Atd, AtdMembership


class MembershipInline(admin.TabularInline):
    model = AtdMembership
    extra = 1
    raw_id_fields = ("user",)


@admin.register(Atd)
class AtdAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "structure", "demo")
    search_fields = ("name", "structure__nom", "structure_siren")
    # 39,000 territories: pick them by id, never in a select box.
    raw_id_fields = ("structure", "areas")
    inlines = [MembershipInline]
