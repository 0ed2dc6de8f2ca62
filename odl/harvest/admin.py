from django.contrib import admin

from odl.harvest.models import HarvestedDataset, HarvestRun, HarvestSource, Publisher

admin.site.register(HarvestSource)
admin.site.register(HarvestRun)
admin.site.register(Publisher)
admin.site.register(HarvestedDataset)
