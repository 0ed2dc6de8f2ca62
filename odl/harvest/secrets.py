"""Credentials of harvest sources: kept out of the address everyone sees, encrypted at rest.

A declared address such as ``https://robot:motdepasse@portail.fr/api?apikey=XYZ&rows=50`` is split
into the public address (``https://portail.fr/api?rows=50``), shown everywhere, and its secret parts
(the user information and the query parameters that name a key, a token or a password), stored in
``HarvestSource.secret``, encrypted at rest by :mod:`odl.core.secrets` (a Fernet token whose key
comes from ``ODL_SECRETS_KEYS``, else ``SECRET_KEY``). Only the harvester sees the joined address; what a run records is redacted.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# The encryption itself is shared with other apps (data.gouv.fr keys); the harvest's migrations and
# models name the field here.
from odl.core.secrets import EncryptedSecretField, decrypt, encrypt, fernet

__all__ = [
    "MASK",
    "EncryptedSecretField",
    "decrypt",
    "encrypt",
    "fernet",
    "is_secret_parameter",
    "join_secrets",
    "redact",
    "redact_errors",
    "secret_values",
    "split_secrets",
]
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
