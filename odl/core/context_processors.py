from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    return {
        "ODL_POPULATION_THRESHOLD": settings.ODL_POPULATION_THRESHOLD,
        "ODL_AGENTS_THRESHOLD": settings.ODL_AGENTS_THRESHOLD,
    }
