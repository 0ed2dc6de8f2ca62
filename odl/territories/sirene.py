"""Headcount bands from Sirene, per SIREN, through the public API of the Annuaire des entreprises.

``GET {ODL_SIRENE_API_URL}/search?q=<siren>`` answers ``{"results": [{"siren": …,
"tranche_effectif_salarie": "22", "annee_tranche_effectif_salarie": "2023", …}], "total_results": …}``.
The API is free and needs no key, but allows 7 requests a second and answers 429 with ``Retry-After``
past it: requests are spaced, a 429 waits as told. Each answer is written at once, with the time it was
asked, so that a pass stopped half-way (network, Ctrl-C) resumes with the territories not yet asked.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from odl.territories.models import Kind, Territory, referentiel_changed

SOURCE = "Sirene (Annuaire des entreprises)"
# How long one 429 may make us wait, whatever Retry-After says (seconds).
MAX_RETRY_AFTER = 120.0


class SireneUnavailable(Exception):
    """The API could not be used: the message says why, in French, and that a rerun resumes."""


@dataclass
class SireneReport:
    asked: int = 0
    found: int = 0
    not_found: list[str] = field(default_factory=list)
    skipped: int = 0
    waited_429: int = 0


class RateLimiter:
    """At most ``per_second`` request starts a second (none when 0), with an injectable clock."""

    def __init__(
        self,
        per_second: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.sleep = sleep
        self.clock = clock
        self.next_at = 0.0

    def wait(self) -> None:
        now = self.clock()
        if now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


def obliged_by_population() -> Any:
    """The communes and EPCI that pass the population test: those whose agent count decides."""
    return (
        Territory.objects.active()
        .filter(kind__in=[Kind.COMMUNE, Kind.EPCI], population__gt=settings.ODL_POPULATION_THRESHOLD)
        .exclude(siren="")
        .order_by("kind", "code")
    )


def to_ask(max_age_days: int, now: dt.datetime | None = None) -> Any:
    """Those not asked within ``max_age_days``: a stopped pass resumes with them."""
    limit = (now or timezone.now()) - dt.timedelta(days=max_age_days)
    return obliged_by_population().filter(
        Q(agents_band_checked_at=None) | Q(agents_band_checked_at__lt=limit)
    )


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        seconds = 1.0  # an HTTP date or nothing: one second, as the API's documentation advises
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def parse_band(payload: Any, siren: str) -> tuple[str, int | None] | None:
    """The band and its year for ``siren`` in a /search answer; None when the answer does not hold it."""
    results = payload.get("results") if isinstance(payload, dict) else None
    for result in results if isinstance(results, list) else []:
        if isinstance(result, dict) and result.get("siren") == siren:
            band = result.get("tranche_effectif_salarie") or ""
            year = str(result.get("annee_tranche_effectif_salarie") or "")
            return (str(band)[:2], int(year) if year.isdigit() and len(year) == 4 else None)
    return None


def fetch_bands(
    territories: Iterable[Territory],
    *,
    base_url: str | None = None,
    per_second: float | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SireneReport:
    """Ask the band of each territory and store it; SireneUnavailable stops the pass (kept so far)."""
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    base = (base_url or settings.ODL_SIRENE_API_URL).rstrip("/")
    limiter = RateLimiter(
        settings.ODL_SIRENE_REQUESTS_PER_SECOND if per_second is None else per_second, sleep, clock
    )
    report = SireneReport()
    own = client is None
    http = client or httpx.Client(
        timeout=settings.ODL_SIRENE_TIMEOUT, headers={"User-Agent": "OpenDataLocale (ciblage)"}
    )
    try:
        for territory in territories:
            payload = _ask(http, f"{base}/search", territory.siren, limiter, sleep, report)
            report.asked += 1
            found = parse_band(payload, territory.siren)
            if found is None:
                report.not_found.append(f"{territory.nom} (SIREN {territory.siren})")
                band, year = "", None
            else:
                report.found += 1
                band, year = found
            Territory.objects.filter(pk=territory.pk).update(
                agents_band=band,
                agents_band_year=year,
                agents_band_source=SOURCE if found is not None else "",
                agents_band_checked_at=timezone.now(),
            )
            if progress:
                progress(report.asked)
    finally:
        if own:
            http.close()
        referentiel_changed()
    return report


def _ask(
    http: httpx.Client,
    url: str,
    siren: str,
    limiter: RateLimiter,
    sleep: Callable[[float], None],
    report: SireneReport,
) -> Any:
    retries = settings.ODL_SIRENE_RETRIES
    problem = ""
    for attempt in range(retries + 1):
        limiter.wait()
        try:
            response = http.get(url, params={"q": siren, "per_page": 5})
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__} : {exc}"
            sleep(min(2.0**attempt, 30.0))
            continue
        if response.status_code == 429:
            report.waited_429 += 1
            sleep(_retry_after(response))
            problem = "trop de requêtes (429) malgré l'attente demandée"
            continue
        if response.status_code >= 500:
            problem = f"erreur {response.status_code} du serveur"
            sleep(min(2.0**attempt, 30.0))
            continue
        if response.status_code != 200:
            raise SireneUnavailable(
                f"L'Annuaire des entreprises a répondu {response.status_code} pour le SIREN {siren}."
            )
        try:
            return response.json()
        except ValueError:
            problem = "réponse qui n'est pas du JSON"
            continue
    raise SireneUnavailable(
        f"L'Annuaire des entreprises est indisponible ({problem}) après {retries + 1} essais "
        f"pour le SIREN {siren}."
    )
