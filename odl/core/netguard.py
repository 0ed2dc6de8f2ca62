"""The one guard against fetching internal addresses.

Every outgoing request whose address came from outside (harvested resource URLs, schema URLs given
to the CLI, the schema catalogue) goes through it, as an httpx request hook, so that redirects are
checked too: a URL a visitor or a catalogue wrote must never reach the platform's own network.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx
from django.conf import settings


class InternalAddressRefused(Exception):
    """The host is not a public address (or cannot be resolved); ``final`` is False when DNS may recover."""

    def __init__(self, message: str, *, final: bool = True) -> None:
        super().__init__(message)
        self.final = final


def refuse_internal_hosts(request: httpx.Request) -> None:
    """httpx ``request`` hook: refuse loopback, private, link-local and other non-global addresses.

    ``ODL_ALLOW_INTERNAL_RESOURCE_HOSTS`` lifts it for tests and local portals served on loopback.
    """
    if getattr(settings, "ODL_ALLOW_INTERNAL_RESOURCE_HOSTS", False):
        return
    host = request.url.host
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, request.url.port or 443)}
    except OSError as exc:
        raise InternalAddressRefused(f"nom d'hôte « {host} » introuvable", final=False) from exc
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global:
            raise InternalAddressRefused(
                f"adresse interne refusée ({host}) : la plateforme ne contacte que des adresses publiques"
            )


def guarded_client(**kwargs: object) -> httpx.Client:
    """An httpx client whose every request, redirects included, goes through the guard."""
    client = httpx.Client(**kwargs)  # type: ignore[arg-type]
    client.event_hooks["request"].append(refuse_internal_hosts)
    return client
