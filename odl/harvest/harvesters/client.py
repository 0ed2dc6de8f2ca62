"""The HTTP client every harvester's own client derives from: timeouts, retries, back-off, size limit."""

from __future__ import annotations

import json
import random
import time
from typing import Any, ClassVar

import httpx
from django.conf import settings

from odl.core.netguard import SOURCES, InternalAddressRefused, PinnedBackend, guarded_transport
from odl.harvest.harvesters.errors import BudgetExceeded, HarvestError

USER_AGENT = "OpenDataLocale-moissonneur/1.0 (+https://opendatalocale.fr)"


def harvest_setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


class ServiceClient:
    """A small httpx client with retries and back-off; subclasses own the URLs of one service.

    Timeouts, connection errors, 429 (honouring Retry-After within reason) and 5xx are retried with
    exponential back-off; anything else fails at once with a French message. Every connection goes
    through the internal-address guard (``odl.core.netguard``), redirects included, and ends by
    ``deadline`` (a ``time.monotonic()`` value, the harvest's budget for this source) when one is set.
    """

    service_name: ClassVar[str] = "service"
    # The setting that lets this client reach internal addresses (netguard): sources by default.
    guard_setting: ClassVar[str] = SOURCES

    def __init__(self, base_url: str, *, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = float(harvest_setting("ODL_HARVEST_TIMEOUT", 30.0))
        self.retries = int(harvest_setting("ODL_HARVEST_RETRIES", 3))
        self.backoff = float(harvest_setting("ODL_HARVEST_BACKOFF", 1.0))
        self.max_bytes = int(harvest_setting("ODL_HARVEST_MAX_RESPONSE_BYTES", 100 * 1024 * 1024))
        self._owns_http = http is None
        self._backend: PinnedBackend | None = None
        self.deadline: float | None = None
        if http is None:
            transport, self._backend = guarded_transport(self.guard_setting)
            http = httpx.Client(
                transport=transport,
                trust_env=False,
                timeout=self.timeout,
                follow_redirects=True,
                max_redirects=5,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            )
        self.http = http
        self.requests_made = 0

    def set_deadline(self, deadline: float | None) -> None:
        """Every request of this client, and every socket operation within it, ends by ``deadline``."""
        self.deadline = deadline
        if self._backend is not None:
            self._backend.deadline = deadline

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def _check_deadline(self, url: str) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise BudgetExceeded(f"{self.service_name} : temps imparti dépassé en lisant {url}")

    def get(
        self, url: str, params: dict[str, Any] | None = None, accept: str | None = None
    ) -> httpx.Response:
        headers = {"Accept": accept} if accept else None
        attempt = 0
        while True:
            attempt += 1
            self.requests_made += 1
            self._check_deadline(url)
            try:
                response = self._fetch(url, params, headers)
            except InternalAddressRefused as exc:
                raise HarvestError(f"{self.service_name} : {exc} ({url})") from exc
            except httpx.TooManyRedirects as exc:
                raise HarvestError(f"{self.service_name} : trop de redirections depuis {url}") from exc
            except httpx.HTTPError as exc:  # timeouts included: both are retried
                self._check_deadline(url)
                if attempt > self.retries:
                    what = (
                        f"pas de réponse en {self.timeout:g} s ({attempt} essais) pour {url}"
                        if isinstance(exc, httpx.TimeoutException)
                        else f"connexion impossible à {url} ({exc.__class__.__name__})"
                    )
                    raise HarvestError(f"{self.service_name} : {what}") from exc
                self._sleep(attempt, None)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt > self.retries:
                    what = (
                        "limite de requêtes atteinte (429)"
                        if response.status_code == 429
                        else "erreur du serveur"
                    )
                    raise HarvestError(
                        f"{self.service_name} : {what}, code HTTP {response.status_code} après {attempt} essais pour {url}"
                    )
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code >= 400:
                raise HarvestError(f"{self.service_name} : code HTTP {response.status_code} pour {url}")
            return response

    def _fetch(
        self, url: str, params: dict[str, Any] | None, headers: dict[str, str] | None
    ) -> httpx.Response:
        """One GET, its body read in chunks: the size limit and the deadline stop it half-way."""
        with self.http.stream("GET", url, params=params, headers=headers) as response:
            if response.status_code >= 400:
                # Only the status is used: an error body, however long, is never read.
                return response
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise HarvestError(f"{self.service_name} : réponse trop volumineuse pour {url}")
                self._check_deadline(url)
            response._content = bytes(body)
            return response

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        response = self.get(url, params)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HarvestError(
                f"{self.service_name} : la réponse de {response.url} n'est pas du JSON valide "
                f"(type annoncé : {response.headers.get('content-type', 'inconnu')})"
            ) from exc

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2 ** (attempt - 1))
        if retry_after and retry_after.strip().isdigit():
            # Honour the server, but a source may not hold a harvest hostage for minutes.
            delay = max(delay, min(float(retry_after), 60.0 * max(self.backoff, 0.01)))
        delay += random.uniform(0, delay / 10)
        if self.deadline is not None:
            # Never sleep past the budget: the next attempt would only be refused.
            delay = min(delay, max(self.deadline - time.monotonic(), 0.0))
        time.sleep(delay)
