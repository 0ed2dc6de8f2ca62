"""The one guard against fetching internal addresses.

Every outgoing request whose address came from outside (declared harvest sources and their paging
links, harvested resource URLs, schema URLs given to the CLI, the schema catalogue) goes through it.
The check happens where the connection is made (:class:`PinnedBackend`, an httpcore network backend):
the host is resolved once, every address is checked, and the socket connects to a checked address,
so a DNS answer that changes between the check and the connection (DNS rebinding) cannot reach the
platform's own network. TLS still verifies the certificate for the host name and sends it as SNI, and
the ``Host`` header is the URL's: only the resolution is pinned. Redirects open their own connection
to their own host, so every hop is checked. The request hook :func:`refuse_internal_hosts` remains for
callers that want the French message before any connection.

Two settings lift it, for tests and local deployments: ``ODL_ALLOW_INTERNAL_SOURCE_HOSTS`` for the
declared harvest sources (a portal served on loopback or an intranet), ``ODL_ALLOW_INTERNAL_RESOURCE_HOSTS``
for everything else (resource downloads, schemas).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

SOCKET_OPTION = Any
RESOURCES = "ODL_ALLOW_INTERNAL_RESOURCE_HOSTS"
SOURCES = "ODL_ALLOW_INTERNAL_SOURCE_HOSTS"


class InternalAddressRefused(Exception):
    """The host is not a public address (or cannot be resolved); ``final`` is False when DNS may recover."""

    def __init__(self, message: str, *, final: bool = True) -> None:
        super().__init__(message)
        self.final = final


def internal_allowed(setting: str = RESOURCES) -> bool:
    return bool(getattr(settings, setting, False))


def _refusal(host: str) -> InternalAddressRefused:
    return InternalAddressRefused(
        f"adresse interne refusée ({host}) : la plateforme ne contacte que des adresses publiques"
    )


def _is_public(address: str) -> bool:
    return ipaddress.ip_address(str(address).split("%")[0]).is_global


def resolve(host: str, port: int) -> list[tuple[int, str]]:
    """(family, address) of every address of ``host``; a French InternalAddressRefused when none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise InternalAddressRefused(f"nom d'hôte « {host} » introuvable", final=False) from exc
    found: list[tuple[int, str]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        pair = (int(family), str(sockaddr[0]))
        if pair not in found:
            found.append(pair)
    if not found:
        raise InternalAddressRefused(f"nom d'hôte « {host} » introuvable", final=False)
    return found


def checked_addresses(host: str, port: int, setting: str = RESOURCES) -> list[tuple[int, str]]:
    """The addresses to connect to: all of them public (unless ``setting`` allows), or InternalAddressRefused."""
    addresses = resolve(host, port)
    if not internal_allowed(setting) and not all(_is_public(address) for _family, address in addresses):
        raise _refusal(host)
    return addresses


def refuse_internal_hosts(request: httpx.Request) -> None:
    """httpx ``request`` hook: refuse loopback, private, link-local and other non-global addresses."""
    if internal_allowed():
        return
    checked_addresses(request.url.host, request.url.port or 443)


def refuse_internal_literal(url: str, setting: str = RESOURCES) -> None:
    """Refuse a URL whose host is itself internal (an IP literal, ``localhost``), without any DNS query.

    For declarations: the address is checked again, resolved, each time it is fetched.
    """
    if internal_allowed(setting):
        return
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        raise _refusal(host)
    try:
        public = _is_public(host)
    except ValueError:
        return  # a name: resolved and checked when fetched
    if not public:
        raise _refusal(host)


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by ``deadline`` (``time.monotonic()``).

    A server that trickles one byte at a time never trips a read timeout; the deadline still ends it.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: float | None) -> None:
        self._stream = stream
        self._deadline = deadline

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float | None:
        if self._deadline is None:
            return timeout
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise error("temps imparti dépassé")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(
            ssl_context, server_hostname, self._timeout(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class PinnedBackend(httpcore.SyncBackend):
    """Resolve once, check every address, connect to a checked one; ``deadline`` bounds every socket call."""

    def __init__(self, setting: str = RESOURCES) -> None:
        self.deadline: float | None = None
        self.setting = setting

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, self.setting)
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("temps imparti dépassé")
            timeout = remaining if timeout is None else min(timeout, remaining)
        last: httpcore.NetworkStream | None = None
        error: Exception | None = None
        for _family, address in addresses:
            try:
                last = super().connect_tcp(address, port, timeout, local_address, socket_options)
                break
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        if last is None:
            assert error is not None
            raise error
        return DeadlineStream(last, self.deadline)


def guarded_transport(setting: str = RESOURCES, **kwargs: Any) -> tuple[httpx.HTTPTransport, PinnedBackend]:
    """An httpx transport that connects only to checked, public addresses, and its backend."""
    transport = httpx.HTTPTransport(**kwargs)
    backend = PinnedBackend(setting)
    # httpx does not take a network backend: its connection pool does.
    transport._pool._network_backend = backend
    return transport, backend


def guarded_client(**kwargs: Any) -> httpx.Client:
    """An httpx client whose every connection, redirects included, goes through the guard.

    Proxies from the environment are ignored: the guard checks the address actually connected to.
    """
    transport, _backend = guarded_transport()
    # No request hook: it would resolve the name a second time, and the connection is what counts.
    return httpx.Client(transport=transport, trust_env=False, **kwargs)
