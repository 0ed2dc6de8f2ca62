"""Structured logs: a request id on every record, JSON lines or text, and no secret ever written.

``ODL_LOG_FORMAT=json`` writes one JSON object per line (``time``, ``level``, ``logger``, ``message``,
``request_id`` and the ``extra`` fields a call gave, such as ``event``, ``run_id``, ``duration_s``), which
journald, Loki or any log shipper reads as is; ``text`` (the default of the embedded install) writes the
same facts on one readable line. The formatter is a small ``logging.Formatter`` subclass rather than a
dependency: python-json-logger is not pinned here and the standard library already gives everything
needed (a record's attributes and ``json.dumps``).

``RequestIdMiddleware`` (``odl.core.middleware``) puts the request's id in ``request_id`` (a contextvar),
so each line written while a request is served says which request it belongs to; a job outside a
request logs ``-``. ``timed()`` logs the start and end of a job (harvest run, validation, push,
reminders) with its ids and duration.

Every line goes through ``mask()``: API keys, tokens, passwords and URL credentials become ``***``,
whatever the message, its arguments or a traceback quoted.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str] = ContextVar("odl_request_id", default="-")

MASK = "***"
# name=value, name: value, "name": "value" for the names that carry secrets (query strings, headers,
# JSON bodies, form dumps). Case-insensitive; "key" alone is too common a word to mask.
_NAMED = re.compile(
    r"""(?ix)
    (\b(?:api[_-]?key|apikey|x-api-key|access[_-]?token|refresh[_-]?token|auth[_-]?token|token|secret
        |client[_-]?secret|password|passwd|mot[_ ]de[_ ]passe|sessionid|csrftoken)\b
     ["']?\s*[:=]\s*["']?)
    ([^\s&"',;}]+)
    """
)
# Authorization headers.
_SCHEME = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{6,}")
# https://user:password@host
_URL_CREDENTIALS = re.compile(r"(://[^/\s:@]+):([^/\s@]+)@")


def mask(text: str) -> str:
    text = _NAMED.sub(lambda m: m.group(1) + MASK, text)
    text = _SCHEME.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}:{MASK}@", text)


# What every LogRecord carries; anything else on a record came from ``extra=`` and is written out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to each record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # Masked before encoding: once in JSON, quotes are escaped and the patterns would miss them.
        return json.dumps({k: _masked(v) for k, v in entry.items()}, ensure_ascii=False)


def _masked(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask(value if isinstance(value, str) else str(value))


class TextFormatter(logging.Formatter):
    """The same facts on a readable line (the embedded install's default), secrets masked."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        line = super().format(record)
        extras = _extras(record)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return mask(line)


@contextmanager
def timed(logger: logging.Logger, event: str, **ids: Any) -> Iterator[dict[str, Any]]:
    """Log ``event`` starting and ending with its ids and duration; the caller may add outcome fields
    (status, counts) to the yielded dict. An exception is logged as the end, then goes on."""
    logger.info("%s : début", event, extra={"event": event, "phase": "start", **ids})
    outcome: dict[str, Any] = {}
    started = time.monotonic()
    try:
        yield outcome
    except BaseException:
        duration = round(time.monotonic() - started, 3)
        logger.exception(
            "%s : échec après %s s",
            event,
            duration,
            extra={"event": event, "phase": "end", "status": "error", "duration_s": duration, **ids},
        )
        raise
    duration = round(time.monotonic() - started, 3)
    logger.info(
        "%s : fin en %s s",
        event,
        duration,
        extra={"event": event, "phase": "end", "duration_s": duration, **ids, **outcome},
    )


def log_end(logger: logging.Logger, event: str, duration: float | None, **fields: Any) -> None:
    """The end of a job whose start was logged elsewhere (a harvest run ends in several places)."""
    seconds = round(duration, 3) if duration is not None else None
    logger.info(
        "%s : fin en %s s",
        event,
        seconds,
        extra={"event": event, "phase": "end", "duration_s": seconds, **fields},
    )


def log_start(logger: logging.Logger, event: str, **ids: Any) -> None:
    logger.info("%s : début", event, extra={"event": event, "phase": "start", **ids})
