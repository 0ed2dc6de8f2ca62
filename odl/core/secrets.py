"""Secrets encrypted at rest: harvest credentials, data.gouv.fr API keys.

A value is kept as a Fernet token (``cryptography``) whose key is derived from ``ODL_SECRETS_KEYS``
(comma-separated: the first one encrypts, every one decrypts, so keys can be rotated), else from
``SECRET_KEY``. :class:`EncryptedSecretField` stores a dict that way; Python code only sees the dict,
dumps and backups only the token.
"""

from __future__ import annotations

import base64
import json
import logging
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    def derive(material: str) -> Fernet:
        # The info string predates the move from odl.harvest: changing it would lose every stored secret.
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
        # The key changed (SECRET_KEY or ODL_SECRETS_KEYS without the old key): the secret must be
        # given again; whoever uses it goes on without it.
        logger.error("a stored secret cannot be decrypted with the configured keys")
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
