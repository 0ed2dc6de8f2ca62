"""Credentials of harvest sources: kept out of the address everyone sees, encrypted at rest.

A declared address such as ``https://robot:motdepasse@portail.fr/api?apikey=XYZ&rows=50`` is split
into the public address (``https://portail.fr/api?rows=50``), shown everywhere, and its secret parts
(the user information and the query parameters that name a key, a token or a password), stored in
``HarvestSource.secret``: a Fernet token (``cryptography``), whose key is derived from
``ODL_SECRETS_KEYS`` (comma-separated, the first one encrypts, every one decrypts: rotation), else
from ``SECRET_KEY``. Only the harvester sees the joined address; what a run records is redacted.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)
MASK = "•••"
# Query parameters that carry a credential (compared lower-case, without "-" and "_").
SECRET_PARAMETERS = re.compile(
    r"^(?:api|x)?(?:key|apikey|token|accesstoken|authtoken|auth|authorization|secret|clientsecret|"
    r"password|passwd|pwd|pass|signature|sig|sessionid|session)$"
)


def is_secret_parameter(name: str) -> bool:
    return bool(SECRET_PARAMETERS.match(name.lower().replace("-", "").replace("_", "")))


def split_secrets(url: str) -> tuple[str, dict[str, Any]]:
    """(the public address, its secret parts); an address without credentials comes back unchanged."""
    parts = urlsplit(url)
    secret: dict[str, Any] = {}
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, netloc = netloc.rsplit("@", 1)
        secret["userinfo"] = userinfo
    query = parts.query
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    hidden = [[name, value] for name, value in pairs if is_secret_parameter(name)]
    if hidden:
        secret["query"] = hidden
        query = urlencode([(name, value) for name, value in pairs if not is_secret_parameter(name)])
    if not secret:
        return url, {}
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)), secret


def join_secrets(url: str, secret: dict[str, Any] | None) -> str:
    """The address the harvester fetches: the public one with its secret parts put back."""
    if not secret:
        return url
    parts = urlsplit(url)
    netloc = f"{secret['userinfo']}@{parts.netloc}" if secret.get("userinfo") else parts.netloc
    hidden = [(str(name), str(value)) for name, value in secret.get("query") or []]
    query = "&".join(q for q in (parts.query, urlencode(hidden)) if q)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def secret_values(secret: dict[str, Any] | None) -> list[str]:
    """Every string that must never be shown, longest first (raw and percent-encoded)."""
    values: set[str] = set()
    if secret:
        userinfo = str(secret.get("userinfo") or "")
        if userinfo:
            values.add(userinfo)
            values.update(part for part in userinfo.split(":", 1)[1:] if part)
        for _name, value in secret.get("query") or []:
            if str(value):
                values.add(str(value))
    values |= {quote(v, safe="") for v in values} | {urlencode({"": v})[1:] for v in values}
    return sorted((v for v in values if v), key=len, reverse=True)


def redact(text: str, secret: dict[str, Any] | None) -> str:
    for value in secret_values(secret):
        text = text.replace(value, MASK)
    return text


def redact_errors(errors: list[dict[str, str]], secret: dict[str, Any] | None) -> list[dict[str, str]]:
    if not secret:
        return errors
    return [
        {key: redact(value, secret) if isinstance(value, str) else value for key, value in entry.items()}
        if isinstance(entry, dict)
        else entry
        for entry in errors
    ]


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    def derive(material: str) -> Fernet:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"odl harvest source secrets"
        ).derive(material.encode())
        return Fernet(base64.urlsafe_b64encode(key))

    return MultiFernet([derive(k) for k in keys])


def fernet() -> MultiFernet:
    configured = [k.strip() for k in str(getattr(settings, "ODL_SECRETS_KEYS", "")).split(",") if k.strip()]
    return _fernet(tuple(configured or [settings.SECRET_KEY]))


def encrypt(secret: dict[str, Any] | None) -> str:
    if not secret:
        return ""
    return fernet().encrypt(json.dumps(secret, sort_keys=True).encode()).decode()


def decrypt(token: str | None) -> dict[str, Any]:
    if not token:
        return {}
    try:
        value = json.loads(fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        # The key changed (SECRET_KEY or ODL_SECRETS_KEYS without the old key): the source must be
        # given its credentials again; harvesting goes on without them.
        logger.error("a harvest source secret cannot be decrypted with the configured keys")
        return {}
    return value if isinstance(value, dict) else {}


class EncryptedSecretField(models.TextField):  # type: ignore[type-arg]
    """A dict of credentials stored as a Fernet token; Python code only ever sees the dict."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict[str, Any]:
        return decrypt(value)

    def to_python(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value  # already a token (a lookup or a migration copying rows)
        return encrypt(value)

    def value_to_string(self, obj: Any) -> str:
        # Dumps (dumpdata, backups) carry the token, never the credentials.
        return encrypt(self.value_from_object(obj))
