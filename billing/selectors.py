"""Reads of billing, each a fixed number of queries whatever the number of districts, months or meetings.

The travel-savings figures read the meetings app's models read-only, here and nowhere else in billing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from districts.models import Site
from foundation.money import money
from join.models import Attendance
from meetings.models import Participation

from .models import Charge, ConnectivityLine
from .periods import first_of_month, fiscal_year_bounds, fiscal_year_months, next_month
from .scope import BillingScope

# Ministry of Finance travel rules (DOMAIN.md): private car 4 baht/km both ways; per diem 240 baht a day, half a day
# counted over 6 hours and a full day over 12 hours, from leaving the office to coming back.
CAR_RATE_PER_KM = Decimal(4)
PER_DIEM_FULL_DAY = Decimal(240)
PER_DIEM_HALF_DAY = Decimal(120)
FULL_DAY_OVER_HOURS = Decimal(12)
HALF_DAY_OVER_HOURS = Decimal(6)
AVERAGE_ROAD_SPEED_KMH = Decimal(60)  # to turn a road distance into hours away from the office
TRAVELLERS_PER_SITE = 1

# Marked for the catalogue but kept a plain (Thai) str: what shows it translates it then, `gettext(TRAVEL_RULE)`
# (a lazy string cannot go into a workbook cell).
TRAVEL_RULE = gettext_noop(
    "คำนวณค่าเดินทางที่ประหยัดได้: อำเภอที่เข้าร่วมประชุม (ตามบันทึกการเชื่อมต่อ หรือตามหนังสือเชิญถ้าการประชุมนั้น"
    "ไม่มีบันทึก; ไม่นับผู้เป็นประธาน) หนึ่งคนต่ออำเภอ เดินทางด้วยรถยนต์ส่วนตัว "
    "ระยะทางถนนถึงศาลากลางจังหวัด × 2 (ไป-กลับ) × 4 บาท/กม. บวกเบี้ยเลี้ยง: เวลาที่ไปราชการ = ระยะเวลาประชุม + "
    "เวลาเดินทางไป-กลับ (ความเร็วเฉลี่ย 60 กม./ชม.) เกิน 12 ชั่วโมงได้ 240 บาท เกิน 6 ชั่วโมงได้ 120 บาท (ครึ่งวัน) "
    "ไม่ถึง 6 ชั่วโมงไม่ได้เบี้ยเลี้ยง"
)


def charge_list(
    *,
    scope: BillingScope,
    months: list[datetime.date] | None,
    district_code: str | None = None,
    status: str | None = None,
) -> QuerySet[Charge]:
    """Charges (regular and adjustments) of some months (None: all) in a scope, with what a row shows: one query."""
    charges = Charge.objects.filter(scope.site_filter("line__site__"))
    if months is not None:
        charges = charges.filter(month__in=months)
    if district_code:
        charges = charges.filter(line__site__district__code=district_code)
    if status:
        charges = charges.filter(status=status)
    return charges.select_related("line__site__district", "line__site__province").order_by(
        "month", "line__site__district__code", "line_id", "-kind", "pk"
    )


def charge_get_visible(*, scope: BillingScope, pk: int) -> Charge | None:
    return (
        Charge.objects.filter(scope.site_filter("line__site__"), pk=pk)
        .select_related("line__site__district", "line__site__province")
        .first()
    )


@dataclass
class Totals:
    fee: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    count: int = 0

    def add(self, charge: Charge) -> None:
        self.fee += charge.fee
        self.vat += charge.vat
        self.total += charge.total
        self.count += 1


def charge_totals(charges: list[Charge]) -> Totals:
    """Sums of rows already fetched (no query)."""
    totals = Totals()
    for charge in charges:
        totals.add(charge)
    return totals


def district_offices(*, scope: BillingScope) -> QuerySet[Site]:
    """District offices in a scope, for the district filter: one query."""
    return (
        Site.objects.filter(scope.site_filter(), kind=Site.Kind.DISTRICT_OFFICE)
        .select_related("district")
        .order_by("district__code")
    )


def monthly_report_charges(*, scope: BillingScope, month: datetime.date) -> list[Charge]:
    return list(charge_list(scope=scope, months=[first_of_month(month)]))


def month_has_charges(*, scope: BillingScope, month: datetime.date) -> bool:
    return Charge.objects.filter(scope.site_filter("line__site__"), month=first_of_month(month)).exists()


@dataclass
class FiscalYearRow:
    site_id: int
    district_code: str
    district_name: str
    province_name: str
    months: list[Decimal]

    @property
    def total(self) -> Decimal:
        return money(sum(self.months, Decimal(0)))


def fiscal_year_matrix(*, scope: BillingScope, fy: int) -> tuple[list[datetime.date], list[FiscalYearRow]]:
    """District offices × the 12 months of a fiscal year (Oct..Sep): totals incl. VAT and adjustments. 2 queries."""
    months = fiscal_year_months(fy)
    sites = (
        ConnectivityLine.objects.filter(scope.site_filter("site__"))
        .values_list("site_id", "site__district__code", "site__district__name_th", "site__province__name_th")
        .order_by("site__district__code")
        .distinct()
    )
    rows: dict[int, FiscalYearRow] = {}
    for site_id, code, name, province in sites:
        rows[site_id] = FiscalYearRow(site_id, code, name, province, [Decimal("0.00")] * 12)
    index = {month: i for i, month in enumerate(months)}
    sums = (
        Charge.objects.filter(scope.site_filter("line__site__"), month__gte=months[0], month__lte=months[-1])
        .values_list("line__site_id", "month")
        .annotate(amount=Sum("total"))
        .order_by()
    )
    for site_id, month, amount in sums:
        row = rows.get(site_id)
        if row is not None:
            row.months[index[month]] += amount
    return months, list(rows.values())


# --- Travel savings -----------------------------------------------------------------------------------------------


@dataclass
class MonthSaving:
    month: datetime.date
    meetings: set = field(default_factory=set)
    attendances: int = 0
    km: Decimal = Decimal("0.0")
    mileage: Decimal = Decimal("0.00")
    per_diem: Decimal = Decimal("0.00")
    connectivity: Decimal = Decimal("0.00")

    @property
    def meeting_count(self) -> int:
        return len(self.meetings)

    @property
    def travel(self) -> Decimal:
        return money(self.mileage + self.per_diem)

    @property
    def net(self) -> Decimal:
        return money(self.travel - self.connectivity)


@dataclass
class TravelSavings:
    fy: int
    months: list[MonthSaving]
    without_distance: int = 0
    sources: dict = field(default_factory=dict)

    @property
    def totals(self) -> MonthSaving:
        total = MonthSaving(month=self.months[0].month)
        for month in self.months:
            total.meetings |= month.meetings
            total.attendances += month.attendances
            total.km += month.km
            total.mileage += month.mileage
            total.per_diem += month.per_diem
            total.connectivity += month.connectivity
        return total


def per_diem_for(*, meeting_hours: Decimal, road_km: Decimal) -> Decimal:
    """Per diem one official would have claimed: meeting time + the round trip at 60 km/h, 6 h → half, 12 h → full."""
    hours_away = meeting_hours + (road_km * 2) / AVERAGE_ROAD_SPEED_KMH
    if hours_away > FULL_DAY_OVER_HOURS:
        return PER_DIEM_FULL_DAY * TRAVELLERS_PER_SITE
    if hours_away > HALF_DAY_OVER_HOURS:
        return PER_DIEM_HALF_DAY * TRAVELLERS_PER_SITE
    return Decimal("0.00")


def attended_sites(*, scope: BillingScope, start: datetime.datetime, end: datetime.datetime) -> tuple[dict, list]:
    """District offices that took part (not as host) in meetings held from ``start`` to ``end``.

    Per meeting: the sites with attendance rows (``join.Attendance``, what the media server saw) when the meeting
    has any, else the sites invited to it (participations). Cancelled meetings and meetings that have not started yet
    count for nothing. Returns ({"attendance": n, "participations": n} meetings by source,
    [(meeting_id, start, end, road_km or None)]). Two queries.
    """
    meeting_filter = Q(meeting__start__gte=start, meeting__start__lt=end, meeting__start__lte=timezone.now()) & ~Q(
        meeting__status="cancelled"
    )
    fields = ("meeting_id", "site_id", "meeting__start", "meeting__end", "site__district__road_distance_km")
    attended = (
        Attendance.objects.filter(meeting_filter, scope.site_filter("site__"), site__kind=Site.Kind.DISTRICT_OFFICE)
        .exclude(site_id=F("meeting__host_site_id"))
        .values_list(*fields)
        .distinct()
    )
    # Meetings with attendance rows anywhere (not only in this scope): their invitations no longer count.
    with_attendance = set(
        Attendance.objects.filter(meeting_filter, site__isnull=False).values_list("meeting_id", flat=True).distinct()
    )
    invited = (
        Participation.objects.filter(
            meeting_filter, scope.site_filter("site__"), site__kind=Site.Kind.DISTRICT_OFFICE, active=True
        )
        .exclude(role="host")
        .values_list(*fields)
    )
    rows = {(row[0], row[1]): row for row in attended}
    for row in invited:
        if row[0] not in with_attendance:
            rows.setdefault((row[0], row[1]), row)
    sources = {
        "attendance": len({m for m, _site in rows if m in with_attendance}),
        "participations": len({m for m, _site in rows if m not in with_attendance}),
    }
    return sources, [(m, s, e, km) for m, _site, s, e, km in rows.values()]


def travel_savings(*, scope: BillingScope, fy: int) -> TravelSavings:
    """Per month of a fiscal year: travel avoided by meeting online against the connectivity cost. 2 queries."""
    months = fiscal_year_months(fy)
    first, last = fiscal_year_bounds(fy)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(next_month(last), datetime.time.min, tzinfo=tz)
    by_month = {month: MonthSaving(month=month) for month in months}
    sources, rows = attended_sites(scope=scope, start=start, end=end)
    result = TravelSavings(fy=fy, months=list(by_month.values()), sources=sources)
    for meeting_id, meeting_start, meeting_end, road_km in rows:
        if road_km is None:
            result.without_distance += 1
            continue
        saving = by_month[first_of_month(timezone.localtime(meeting_start, tz).date())]
        hours = Decimal((meeting_end - meeting_start).total_seconds()) / Decimal(3600)
        saving.meetings.add(meeting_id)
        saving.attendances += 1
        saving.km += road_km * 2
        saving.mileage += money(road_km * 2 * CAR_RATE_PER_KM)
        saving.per_diem += per_diem_for(meeting_hours=hours, road_km=road_km)
    costs = (
        Charge.objects.filter(scope.site_filter("line__site__"), month__gte=months[0], month__lte=months[-1])
        .values_list("month")
        .annotate(amount=Sum("total"))
        .order_by()
    )
    for month, amount in costs:
        by_month[month].connectivity = money(amount)
    return result
