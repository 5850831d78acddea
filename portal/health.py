"""`GET /healthz`: the state of what the portal depends on, for monitoring. 200 when healthy, 503 when not."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from meetings.media import media_servers_health
from portal.celery import app


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_broker() -> dict | None:
    url = settings.CELERY_BROKER_URL
    if not url or settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    started = time.perf_counter()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


@never_cache
@require_GET
def healthz(request):
    checks: dict[str, dict] = {"database": check_database()}
    broker = check_broker()
    if broker is not None:
        checks["broker"] = broker
    checks.update(media_servers_health())
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks}, status=200 if healthy else 503
    )
