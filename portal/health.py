"""`GET /healthz`: the state of what the portal depends on, for monitoring. 200 when healthy, 503 when not.

Warnings do not make it unhealthy: they are listed under "warnings" (e.g. the web server's clock drifting from the
database server's, which every recorded time comes from: docs/operations.md, "The standard clock").
"""

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


# The web server's clock, read by check_clock (a module attribute, so a test can put a drifting clock in its place).
app_clock = time.time
# Above this offset between the web server's clock and the database server's, /healthz warns (seconds).
DEFAULT_CLOCK_WARN_SECONDS = 1.0


def check_clock(*, clock=None) -> dict | None:
    """The offset of this web server's clock from the database server's (`clock_timestamp()`, the clock every
    roll-call, vote and attendance time is read from), in ms: positive when the database is ahead. Measured around
    one round trip (the midpoint of before and after); a warning, never a failure, above
    PRACHUM_CLOCK_DRIFT_WARN_SECONDS (default 1 s). None on a database without that function (embedded SQLite)."""
    if connection.vendor != "postgresql":
        return None
    clock = clock or app_clock
    try:
        before = clock()
        with connection.cursor() as cursor:
            cursor.execute("SELECT extract(epoch FROM clock_timestamp())")
            database = float(cursor.fetchone()[0])
        after = clock()
    except Exception as error:
        return {"ok": True, "warning": f"clock not compared: {type(error).__name__}"}
    offset = database - (before + after) / 2
    limit = float(getattr(settings, "PRACHUM_CLOCK_DRIFT_WARN_SECONDS", DEFAULT_CLOCK_WARN_SECONDS))
    result = {"ok": True, "offset_ms": round(offset * 1000, 1), "uncertainty_ms": round((after - before) * 500, 1),
              "warn_above_ms": round(limit * 1000)}
    if abs(offset) > limit:
        result["warning"] = (
            f"the web server's clock is {abs(offset):.1f} s {'behind' if offset > 0 else 'ahead of'} the database "
            "server's: keep both on the standard time source (chrony/NTP, docs/operations.md)"
        )
    return result


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
    clock = check_clock()
    if clock is not None:
        checks["clock"] = clock
    checks.update(media_servers_health())
    healthy = all(check["ok"] for check in checks.values())
    warnings = [f"{name}: {check['warning']}" for name, check in checks.items() if check.get("warning")]
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks, "warnings": warnings},
        status=200 if healthy else 503,
    )
