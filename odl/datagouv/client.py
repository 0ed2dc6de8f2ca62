"""The data.gouv.fr API (udata, v1) as this platform uses it: every call recorded, every failure in French.

The key travels in the ``X-API-KEY`` header, never in the address, so the recorded address is the
address called. Connections go through the internal-address guard (``odl.core.netguard``): the API
root is a setting, and a wrong one must not make the platform call its own network.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from odl.core import netguard
from odl.datagouv.models import ApiCall, DatagouvLink, Push

ANSWER_CHARS = 500
MAX_PAGES = 50


class DatagouvError(Exception):
    """A call that failed; ``message`` is the French sentence shown to the user.

    ``kind``: key (401/403), not_found (404/410), rate_limit (429), server (5xx), timeout, network,
    invalid (400, 413, 415…), refused (internal address), answer (not the JSON expected).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        status: int | None = None,
        retryable: bool = False,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


def api_root() -> str:
    return str(settings.ODL_DATAGOUV_API_URL).rstrip("/") + "/"


def _server_message(response: httpx.Response) -> str:
    """udata answers errors as {"message": …} (and {"errors": {field: [...]}} for a form)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body.get("message") or "").strip()]
    errors = body.get("errors")
    if isinstance(errors, dict):
        for field, problems in errors.items():
            text = ", ".join(str(p) for p in problems) if isinstance(problems, list) else str(problems)
            parts.append(f"{field} : {text}")
    return " ; ".join(p for p in parts if p)


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return int(value)
    if value:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0, int((when - timezone.now()).total_seconds()))
    return None


def error_for(response: httpx.Response, what: str) -> DatagouvError:
    """The French explanation of an error answer; ``what`` names the object asked for (« l'organisation »)."""
    status = response.status_code
    said = _server_message(response)
    detail = f" Réponse de data.gouv.fr : « {said} »." if said else ""
    if status == 401:
        return DatagouvError(
            "data.gouv.fr refuse la clé d'API (401) : elle est fausse, expirée ou a été révoquée. "
            "Créez-en une nouvelle dans votre profil data.gouv.fr (Paramètres › Clé d'API) et "
            f"enregistrez-la sur la page data.gouv.fr de la collectivité.{detail}",
            kind="key",
            status=status,
        )
    if status == 403:
        return DatagouvError(
            "data.gouv.fr refuse l'opération (403) : la clé d'API est reconnue, mais son titulaire n'a "
            f"pas le droit de modifier {what} (il doit être administrateur ou éditeur de l'organisation).{detail}",
            kind="key",
            status=status,
        )
    if status in (404, 410):
        return DatagouvError(
            f"{what[0].upper()}{what[1:]} est introuvable sur data.gouv.fr ({status}) : "
            f"vérifiez l'organisation choisie pour la collectivité.{detail}",
            kind="not_found",
            status=status,
        )
    if status == 429:
        wait = _retry_after(response)
        when = f"dans {wait} s" if wait is not None else "plus tard"
        return DatagouvError(
            f"data.gouv.fr limite le nombre d'appels (429) : l'envoi sera réessayé {when}.{detail}",
            kind="rate_limit",
            status=status,
            retryable=True,
            retry_after=wait,
        )
    if status >= 500:
        return DatagouvError(
            f"data.gouv.fr est en erreur ({status}) : rien n'est perdu, l'envoi sera réessayé plus tard.{detail}",
            kind="server",
            status=status,
            retryable=True,
        )
    if status == 413:
        return DatagouvError(
            "data.gouv.fr refuse le fichier (413) : il est trop volumineux.", kind="invalid", status=status
        )
    return DatagouvError(
        f"data.gouv.fr refuse la demande ({status}) pour {what}.{detail}", kind="invalid", status=status
    )


@dataclass
class Answer:
    status: int
    body: Any


class DatagouvClient:
    """Calls on behalf of one collectivité's link; each call becomes an :class:`ApiCall`."""

    def __init__(self, link: DatagouvLink, push: Push | None = None, *, api_key: str | None = None) -> None:
        self.link = link
        self.push = push
        self.api_key = link.api_key if api_key is None else api_key
        self.timeout = float(settings.ODL_DATAGOUV_TIMEOUT)
        transport, self._backend = netguard.guarded_transport(netguard.RESOURCES)
        self.http = httpx.Client(
            transport=transport,
            trust_env=False,
            timeout=self.timeout,
            headers={"Accept": "application/json", "User-Agent": "OpenDataLocale"},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DatagouvClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return api_root() + path.lstrip("/")

    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        payload: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        missing_ok: bool = False,
        authenticated: bool = True,
    ) -> Answer:
        """One call; a DatagouvError unless 2xx (or 404/410 with ``missing_ok``, answered as None)."""
        request = self.http.build_request(
            method,
            self.url(path),
            params=params,
            json=payload,
            files=files,
            headers={"X-API-KEY": self.api_key} if authenticated and self.api_key else None,
        )
        started = time.monotonic()
        self._backend.deadline = started + self.timeout
        record = ApiCall(link=self.link, push=self.push, method=method, url=str(request.url))
        response: httpx.Response | None = None
        try:
            try:
                response = self.http.send(request)
                text = response.text
            except netguard.InternalAddressRefused as exc:
                raise DatagouvError(
                    f"Appel refusé : {exc}. Vérifiez le réglage ODL_DATAGOUV_API_URL.",
                    kind="refused",
                    retryable=not exc.final,
                ) from exc
            except httpx.TimeoutException as exc:
                raise DatagouvError(
                    f"data.gouv.fr n'a pas répondu dans les {self.timeout:g} s : l'envoi sera réessayé plus tard.",
                    kind="timeout",
                    retryable=True,
                ) from exc
            except httpx.HTTPError as exc:
                raise DatagouvError(
                    f"data.gouv.fr est injoignable ({type(exc).__name__}) : l'envoi sera réessayé plus tard.",
                    kind="network",
                    retryable=True,
                ) from exc
        except DatagouvError as error:
            record.error = error.message
            self._save(record, started, "")
            raise
        self._save(record, started, text, response.status_code)
        if response.status_code in (404, 410) and missing_ok:
            return Answer(response.status_code, None)
        if response.status_code >= 400:
            refusal = error_for(response, what)
            record.error = refusal.message
            record.save(update_fields=["error"])
            raise refusal
        if response.status_code == 204 or not text.strip():
            return Answer(response.status_code, {})
        try:
            body = json.loads(text)
        except ValueError as exc:
            message = f"data.gouv.fr a répondu autre chose que du JSON ({response.status_code}) pour {what}."
            record.error = message
            record.save(update_fields=["error"])
            raise DatagouvError(message, kind="answer", status=response.status_code, retryable=True) from exc
        return Answer(response.status_code, body)

    def _save(self, record: ApiCall, started: float, text: str, status: int | None = None) -> None:
        record.status = status
        answer = text[:ANSWER_CHARS]
        if self.api_key:
            answer = answer.replace(self.api_key, "•••")
        record.answer = answer
        record.duration_ms = int((time.monotonic() - started) * 1000)
        record.save()

    # --- The calls ------------------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        return dict(self.call("GET", "me/", what="le compte de la clé d'API").body)

    def organization(self, org_id: str) -> dict[str, Any]:
        return dict(
            self.call("GET", f"organizations/{org_id}/", what="l'organisation", authenticated=False).body
        )

    def search_organizations(self, query: str, page_size: int = 20) -> list[dict[str, Any]]:
        answer = self.call(
            "GET",
            "organizations/",
            params={"q": query, "page_size": page_size},
            what="la recherche d'organisations",
            authenticated=False,
        )
        data = answer.body.get("data") if isinstance(answer.body, dict) else None
        return [d for d in data or [] if isinstance(d, dict)]

    def dataset(self, dataset_id: str) -> dict[str, Any] | None:
        answer = self.call("GET", f"datasets/{dataset_id}/", what="le jeu de données", missing_ok=True)
        return dict(answer.body) if isinstance(answer.body, dict) else None

    def find_dataset(self, org_id: str, key: str, value: str) -> dict[str, Any] | None:
        """The organisation's dataset whose extras say ``key = value`` (private ones included)."""
        path = f"organizations/{org_id}/datasets/"
        params: dict[str, Any] | None = {"page_size": 100, "page": 1}
        for _page in range(MAX_PAGES):
            body = self.call("GET", path, params=params, what="les jeux de données de l'organisation").body
            if not isinstance(body, dict):
                return None
            for dataset in body.get("data") or []:
                extras = dataset.get("extras") if isinstance(dataset, dict) else None
                if (
                    isinstance(extras, dict)
                    and str(extras.get(key) or "") == value
                    and not dataset.get("deleted")
                ):
                    return dict(dataset)
            next_page = body.get("next_page")
            if not next_page:
                return None
            path, params = str(next_page), None
        return None

    def create_dataset(self, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", "datasets/", payload=payload, what="le jeu de données").body)

    def update_dataset(self, dataset_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(
            self.call("PUT", f"datasets/{dataset_id}/", payload=payload, what="le jeu de données").body
        )

    def upload_new(self, dataset_id: str, filename: str, content: bytes, mime: str) -> dict[str, Any]:
        files = {"file": (filename, content, mime)}
        return dict(
            self.call("POST", f"datasets/{dataset_id}/upload/", files=files, what="le jeu de données").body
        )

    def upload_replace(
        self, dataset_id: str, resource_id: str, filename: str, content: bytes, mime: str
    ) -> dict[str, Any]:
        files = {"file": (filename, content, mime)}
        path = f"datasets/{dataset_id}/resources/{resource_id}/upload/"
        return dict(self.call("POST", path, files=files, what="la ressource").body)

    def update_resource(self, dataset_id: str, resource_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        path = f"datasets/{dataset_id}/resources/{resource_id}/"
        return dict(self.call("PUT", path, payload=payload, what="la ressource").body)
