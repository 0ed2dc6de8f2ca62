"""Observatory URLs: harvesting (sources, runs, review queue) and measurement (indicators, history, map)."""

from odl.observatory.harvest_urls import urlpatterns as harvest_urlpatterns
from odl.observatory.measure_urls import urlpatterns as measure_urlpatterns

app_name = "observatory"

urlpatterns = [*harvest_urlpatterns, *measure_urlpatterns]
