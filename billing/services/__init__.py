"""Every write of billing. Import from here: ``from billing.services import charges_generate``."""

from .charges import (
    GenerationResult,
    MonthClosing,
    charge_adjust,
    charge_mark_paid,
    charge_mark_paid_for_month,
    charges_generate,
    charges_generate_range,
    month_close,
    month_lock,
)
from .connectivity import LinesResult, line_create, lines_for_province_create, tariff_set, vat_rate_set
from .exports import ExportOutcome, export_request, export_run

__all__ = [
    "ExportOutcome",
    "GenerationResult",
    "LinesResult",
    "MonthClosing",
    "charge_adjust",
    "charge_mark_paid",
    "charge_mark_paid_for_month",
    "charges_generate",
    "charges_generate_range",
    "export_request",
    "export_run",
    "line_create",
    "lines_for_province_create",
    "month_close",
    "month_lock",
    "tariff_set",
    "vat_rate_set",
]
