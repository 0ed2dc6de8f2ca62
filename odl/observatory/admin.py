from django.contrib import admin

from odl.observatory.models import (
    HarvestedDataset,
    HarvestRun,
    HarvestSource,
    Publisher,
    Snapshot,
    SnapshotEntry,
)
from odl.observatory.models.harvest import AtdMember

admin.site.register(HarvestSource)
admin.site.register(HarvestRun)
admin.site.register(Publisher)
admin.site.register(HarvestedDataset)
admin.site.register(Snapshot)
admin.site.register(SnapshotEntry)


# Harvesting: the coordinator binds each ATD user to its perimeter here.
@admin.register(AtdMember)
class AtdMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "atd_name", "territory")
    search_fields = ("user__username", "atd_name", "territory__nom")
    raw_id_fields = ("territory",)
