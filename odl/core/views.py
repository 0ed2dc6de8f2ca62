"""Platform-wide views: the health check a reverse proxy or a monitoring probe calls."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from odl.core.access import access

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "migrations en attente : lancez « odl migrate »"
    return "ok"


def _cache() -> str:
    key = f"odl-healthz-{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return "ok" if ok else "le cache ne rend pas ce qu'on y écrit"


def _broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "non configuré (tâches dans le processus)"
    from odl.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return "ok"


@access("public")
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the cache and (when configured) the broker answer; 503 says which does not."""
    checks: dict[str, str] = {}
    healthy = True
    for name, probe in (("base", _database), ("cache", _cache), ("file", _broker)):
        try:
            checks[name] = probe()
        except Exception as exc:  # a probe reports; it never turns into a 500
            logger.warning("health check %s failed: %s", name, exc)
            checks[name] = f"injoignable ({exc.__class__.__name__})"
        healthy = healthy and (checks[name] == "ok" or checks[name].startswith("non configuré"))
    return JsonResponse({"statut": "ok" if healthy else "dégradé", **checks}, status=200 if healthy else 503)
