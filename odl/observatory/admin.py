from django.contrib import admin

from odl.observatory.models import Snapshot, SnapshotEntry

admin.site.register(Snapshot)
admin.site.register(SnapshotEntry)
