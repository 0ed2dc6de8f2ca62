from django.contrib import admin

from odl.observatory.models import (
    HarvestedDataset,
    HarvestRun,
    HarvestSource,
    Publisher,
    Snapshot,
    SnapshotEntry,
)

admin.site.register(HarvestSource)
admin.site.register(HarvestRun)
admin.site.register(Publisher)
admin.site.register(HarvestedDataset)
admin.site.register(Snapshot)
admin.site.register(SnapshotEntry)
