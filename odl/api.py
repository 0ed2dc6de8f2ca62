"""The platform's JSON API: one NinjaAPI, one router per app, OpenAPI at /api/openapi.json."""

import json

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from odl.atds.api import router as atds_router
from odl.harvest.api import router as harvest_router
from odl.observatory.api import router as observatory_router
from odl.programme.api import router as programme_router
from odl.schemas.api import router as schemas_router
from odl.territories.api import router as territories_router

api = NinjaAPI(
    title="API OpenDataLocale",
    version="1",
    description=(
        "API ouverte de la plateforme OpenDataLocale : référentiel des collectivités, ciblage des "
        "collectivités obligées. Données sous Licence Ouverte (référentiel INSEE/DGCL)."
    ),
    urls_namespace="api",
)
api.add_router("/", territories_router)
api.add_router("/observatoire/", harvest_router)
api.add_router("/observatoire/", observatory_router)
api.add_router("/", schemas_router)
api.add_router("/", atds_router)
api.add_router("/", programme_router)


@api.exception_handler(OverflowError)
def number_too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """Last resort for a filter that forgot its bound: SQLite raises OverflowError past 64 bits."""
    return HttpResponse(
        json.dumps({"detail": "Un nombre de la requête est trop grand."}, ensure_ascii=False),
        status=400,
        content_type="application/json",
    )
