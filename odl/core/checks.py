"""System checks of the platform's own: what must never reach production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def local_secret_key_in_production(**_kwargs: Any) -> list[Error]:
    """The published local key signs sessions and password-reset links: anyone could forge them."""
    if settings.SECRET_KEY == settings.LOCAL_SECRET_KEY:
        return [
            Error(
                "DJANGO_SECRET_KEY n'est pas définie : la clé locale publiée dans le code ne doit pas servir en production.",
                hint="Définissez DJANGO_SECRET_KEY (50 caractères aléatoires ou plus) dans l'environnement du service.",
                id="odl.E001",
            )
        ]
    return []


@register(Tags.security)
def secure_mode_needs_a_secret_key(**_kwargs: Any) -> list[Error]:
    # DJANGO_SECURE=1 says "this is production": refuse to start rather than serve with the public key.
    if getattr(settings, "SECURE", False) and settings.SECRET_KEY == settings.LOCAL_SECRET_KEY:
        return local_secret_key_in_production()
    return []


def refuse_unsafe_production() -> None:
    """Called by the WSGI entry point: a production server never starts with the local key."""
    errors = secure_mode_needs_a_secret_key()
    if errors:
        raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")
