"""The platform's JSON API: one NinjaAPI, one router per app, OpenAPI at /api/openapi.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.utils import check_csrf

from odl.atds.api import router as atds_router
from odl.harvest.api import router as harvest_router
from odl.observatory.api import router as observatory_router
from odl.programme.api import router as programme_router
from odl.publishing.api import router as publishing_router
from odl.schemas.api import router as schemas_router
from odl.territories.api import router as territories_router

api = NinjaAPI(
    title="API OpenDataLocale",
    version="1",
    description=(
        "API ouverte de la plateforme OpenDataLocale : référentiel des collectivités, ciblage des "
        "collectivités obligées, jeux de données SCDL publiés (leurs versions et téléchargements) et leur "
        "publication par une application métier avec un jeton personnel (Authorization: Bearer). Données "
        "sous Licence Ouverte (référentiel INSEE/DGCL). Limitée en nombre de requêtes par minute, comptées "
        "par compte (jeton ou session) ou par adresse : au-delà, 429 avec l'en-tête Retry-After."
    ),
    urls_namespace="api",
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def session_csrf(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A request that carries a signed-in session follows the CSRF rule of every form of the platform.

    Without a session (scripts, curl) there is no cookie a third-party site could ride on: no token asked.
    """

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in SAFE_METHODS and request.user.is_authenticated:
            if check_csrf(request) is not None:
                return api.create_response(
                    request,
                    {
                        "detail": "Jeton CSRF absent ou invalide : avec une session ouverte, envoyez "
                        "l'en-tête X-CSRFToken (cookie csrftoken), comme les formulaires de la plateforme."
                    },
                    status=403,
                )
        return view(request, *args, **kwargs)

    return checked


api.add_decorator(session_csrf, mode="view")

# What each pydantic error type means, in French (the 422 answers of every endpoint).
ERROR_MESSAGES = {
    "missing": "champ obligatoire absent",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "bool_parsing": "booléen attendu (true ou false)",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "datetime_parsing": "date et heure attendues (AAAA-MM-JJTHH:MM:SS)",
    "datetime_from_date_parsing": "date et heure attendues (AAAA-MM-JJTHH:MM:SS)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "enum": "valeur non autorisée",
    "literal_error": "valeur non autorisée",
    "string_too_long": "texte trop long",
    "string_too_short": "texte trop court",
    "greater_than": "valeur trop petite",
    "greater_than_equal": "valeur trop petite",
    "less_than": "valeur trop grande",
    "less_than_equal": "valeur trop grande",
    "json_invalid": "JSON invalide",
    "model_attributes_type": "objet attendu",
    "uuid_parsing": "identifiant (UUID) attendu",
}
WHERE = {"query": "paramètre", "path": "chemin", "body": "corps", "form": "formulaire", "file": "fichier"}


def french_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    place = WHERE.get(loc[0], loc[0]) if loc else ""
    name = ".".join(loc[1:]) or place
    what = ERROR_MESSAGES.get(str(error.get("type")), "valeur invalide")
    return {"loc": loc, "type": error.get("type"), "msg": f"{name} ({place}) : {what}"}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 in French, with the place of each error, like every other message of the platform."""
    return api.create_response(request, {"detail": [french_error(e) for e in exc.errors]}, status=422)


api.add_router("/", territories_router)
api.add_router("/observatoire/", harvest_router)
api.add_router("/observatoire/", observatory_router)
api.add_router("/", schemas_router)
api.add_router("/", atds_router)
api.add_router("/", programme_router)
api.add_router("/", publishing_router)


@api.exception_handler(OverflowError)
def number_too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """Last resort for a filter that forgot its bound: SQLite raises OverflowError past 64 bits."""
    return HttpResponse(
        json.dumps({"detail": "Un nombre de la requête est trop grand."}, ensure_ascii=False),
        status=400,
        content_type="application/json",
    )
