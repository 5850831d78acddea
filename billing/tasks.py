"""Celery tasks of billing: thin, named, ids and primitives only, safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError

from .periods import current_month
from .services import charges_generate_range, export_run
from .services.exports import exports_stuck

# The beat run on the 1st also bills the two months before, so a missed run (server down on the 1st) is caught up.
CATCH_UP_MONTHS = 2


@shared_task(
    name="billing.charges_generate_month",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def charges_generate_month(month: str | None = None) -> dict:
    """Bill every line for ``month`` (ISO date, default: this month in Bangkok) and the months before it missed."""
    end = datetime.date.fromisoformat(month) if month else current_month()
    start = end
    for _ in range(CATCH_UP_MONTHS):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    result = charges_generate_range(start_month=start, end_month=end)
    return {"created": result.created, "existing": result.existing, "missing_tariff": len(result.missing_tariff)}


@shared_task(
    name="billing.export_render",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def export_render(export_id: int) -> str | None:
    export = export_run(export_id=export_id)
    return export.status if export else None


@shared_task(name="billing.exports_sweep", acks_late=True)
def exports_sweep() -> int:
    """Re-enqueue exports whose message was lost or whose worker died."""
    stuck = exports_stuck()
    for export_id in stuck:
        export_render.delay(export_id)
    return len(stuck)
