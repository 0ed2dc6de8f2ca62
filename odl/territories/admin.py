from django.contrib import admin

from odl.territories.models import AgentCount, Perimeter, ReferentielLoad, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("nom", "kind", "code", "siren", "population", "departement_code", "active")
    list_filter = ("kind", "zone", "active")
    search_fields = ("nom", "code", "siren")
    raw_id_fields = ("epci", "parent")


@admin.register(ReferentielLoad)
class ReferentielLoadAdmin(admin.ModelAdmin):
    list_display = (
        "source",
        "version",
        "cog_year",
        "population_millesime",
        "loaded_at",
        "created",
        "updated",
    )


@admin.register(AgentCount)
class AgentCountAdmin(admin.ModelAdmin):
    list_display = ("territory", "effectif", "annee", "source", "imported_at")
    raw_id_fields = ("territory",)


@admin.register(Perimeter)
class PerimeterAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "owner", "created_at")
