from django.contrib import admin

from odl.programme.models import Commitment, Convention, Etd, Meeting, Resource

for model in (Etd, Convention, Commitment, Meeting, Resource):
    admin.site.register(model)
