"""Billing test data, built through billing's services (the way the portal builds it)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from billing.models import Charge, ConnectivityLine
from billing.services import charges_generate_range, line_create, lines_for_province_create
from districts.models import Site

UDON_THANI = "41"


def udon_lines() -> list[ConnectivityLine]:
    """Udon Thani's 20 district-office lines: NT, 200/80 Mbps, 1,250 baht/month from 1 April 2561."""
    lines_for_province_create(province_code=UDON_THANI)
    return list(ConnectivityLine.objects.filter(site__province__code=UDON_THANI).order_by("site__district__code"))


def bill(start: datetime.date, end: datetime.date | None = None) -> None:
    charges_generate_range(start_month=start, end_month=end or start)


def charge_of(district_code: str, month: datetime.date) -> Charge:
    return Charge.objects.get(line__site__district__code=district_code, month=month, kind=Charge.Kind.REGULAR)


def extra_line(
    *, district_code: str, start: datetime.date, end: datetime.date | None = None, fee: str = "1000.00"
) -> ConnectivityLine:
    return line_create(
        site=Site.objects.get(district__code=district_code),
        provider="ผู้ให้บริการทดสอบ",
        circuit_id=f"TEST-{district_code}-{start:%Y%m%d}",
        speed_down_mbps=100,
        speed_up_mbps=50,
        start_date=start,
        end_date=end,
        monthly_fee=Decimal(fee),
    )
