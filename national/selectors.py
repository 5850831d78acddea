"""The national view's figures: per province, for one fiscal year, in six queries whatever the number of provinces.

Each figure is the one a province's own report gives, computed for every province at once (grouped by province in
the database) instead of once per province:

- **meetings held**: meetings hosted by a site of the province that started in the fiscal year, are over, and were
  not cancelled;
- **invited sites that connected**: the invited sites (participations, not the host, not taken off) of those
  meetings that have an attendance row — join's attendance report calls an invited site with no row "absent";
- **connectivity cost**: billing's charges of the fiscal year's twelve months, VAT and adjustments included (the
  fiscal-year summary and the travel-savings report, ``billing.selectors``);
- **travel saved**: billing's travel-savings rule (``billing.selectors.attended_sites``: the district offices with
  attendance rows, else the invited ones, never the host; mileage and per diem by ``per_diem_for``), its rows grouped
  by province, road distance and meeting length, then priced with billing's own functions;
- **net** = travel saved − connectivity cost, as the travel-savings report's net.

``tests/national/test_figures.py`` checks that the country's totals equal the provinces' own reports added up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.utils import timezone

from billing.models import Charge
from billing.periods import next_month
from billing.selectors import CAR_RATE_PER_KM, per_diem_for
from districts.models import Province, Site
from foundation.money import money
from foundation.thaidate import fiscal_year_bounds, fiscal_year_months
from join.models import Attendance
from meetings.models import Meeting, Participation

ZERO = Decimal("0.00")
PERCENT = Decimal("0.1")


@dataclass
class ProvinceFigures:
    province_id: int | None
    code: str
    name_th: str
    name_en: str
    meetings_held: int = 0
    invited: int = 0  # invited sites of the meetings held (one per site and meeting)
    connected: int = 0  # of which connected at least once
    cost: Decimal = ZERO  # connectivity charges incl. VAT
    mileage: Decimal = ZERO
    per_diem: Decimal = ZERO
    travels: int = 0  # district offices' trips avoided (priced)
    without_distance: int = 0  # trips not priced: the district has no road distance yet

    @property
    def connected_percent(self) -> Decimal | None:
        """The share of invited sites that connected, in percent with one decimal (None: nobody was invited)."""
        if not self.invited:
            return None
        return (Decimal(self.connected * 100) / Decimal(self.invited)).quantize(PERCENT)

    @property
    def saved(self) -> Decimal:
        """Travel cost saved (mileage + per diem), as the travel-savings report's ``travel``."""
        return money(self.mileage + self.per_diem)

    @property
    def net(self) -> Decimal:
        return money(self.saved - self.cost)

    def add(self, other: ProvinceFigures) -> None:
        self.meetings_held += other.meetings_held
        self.invited += other.invited
        self.connected += other.connected
        self.cost += other.cost
        self.mileage += other.mileage
        self.per_diem += other.per_diem
        self.travels += other.travels
        self.without_distance += other.without_distance


@dataclass
class NationalSummary:
    fy: int
    first_day: datetime.date
    last_day: datetime.date
    as_of: datetime.datetime
    provinces: list[ProvinceFigures] = field(default_factory=list)

    @property
    def totals(self) -> ProvinceFigures:
        total = ProvinceFigures(None, "", "รวมทั้งประเทศ", "Whole country")
        for row in self.provinces:
            total.add(row)
        return total

    @property
    def active_provinces(self) -> int:
        """Provinces with a meeting held or a charge in the year."""
        return sum(1 for row in self.provinces if row.meetings_held or row.cost or row.travels)


def _fiscal_year_window(fy: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The fiscal year as aware datetimes in Bangkok, as billing's travel-savings report takes it."""
    first, last = fiscal_year_bounds(fy)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(next_month(last), datetime.time.min, tzinfo=tz)
    return start, end


def _meeting_length():
    return ExpressionWrapper(F("meeting__end") - F("meeting__start"), output_field=DurationField())


def travel_rows(*, fy: int, now: datetime.datetime) -> Iterable[tuple[int, Decimal | None, datetime.timedelta, int]]:
    """(province id, road km or None, meeting length, trips) of the district offices that took part, two queries.

    The rows of ``billing.selectors.attended_sites`` for the whole country, counted by province, road distance and
    meeting length instead of listed one by one: per meeting the offices with attendance rows (one per office however
    often it reconnected) when the meeting has any, else the invited offices; not the host; started in the fiscal year
    and by now; not cancelled.
    """
    start, end = _fiscal_year_window(fy)
    held = Q(meeting__start__gte=start, meeting__start__lt=end, meeting__start__lte=now) & ~Q(
        meeting__status=Meeting.Status.CANCELLED
    )
    group = {
        "province": F("site__province_id"),
        "km": F("site__district__road_distance_km"),
        "length": _meeting_length(),
    }
    earlier_row = Attendance.objects.filter(
        meeting_id=OuterRef("meeting_id"), site_id=OuterRef("site_id"), pk__lt=OuterRef("pk")
    )
    attended = (
        Attendance.objects.filter(held, site__kind=Site.Kind.DISTRICT_OFFICE)
        .exclude(site_id=F("meeting__host_site_id"))
        .filter(~Exists(earlier_row))
        .values(**group)
        .annotate(trips=Count("pk"))
        .order_by()
        .values_list("province", "km", "length", "trips")
    )
    any_attendance = Attendance.objects.filter(meeting_id=OuterRef("meeting_id"), site__isnull=False)
    invited = (
        Participation.objects.filter(held, site__kind=Site.Kind.DISTRICT_OFFICE, active=True)
        .exclude(role=Participation.Role.HOST)
        .filter(~Exists(any_attendance))
        .values(**group)
        .annotate(trips=Count("pk"))
        .order_by()
        .values_list("province", "km", "length", "trips")
    )
    yield from attended
    yield from invited


def national_summary(*, fy: int, now: datetime.datetime | None = None) -> NationalSummary:
    """Every province's figures for fiscal year ``fy`` (BE). Six queries, whatever the number of provinces."""
    now = now or timezone.now()
    first, last = fiscal_year_bounds(fy)
    start, end = _fiscal_year_window(fy)
    rows = {
        pk: ProvinceFigures(pk, code, name_th, name_en)
        for pk, code, name_th, name_en in Province.objects.order_by("code").values_list(
            "pk", "code", "name_th", "name_en"
        )
    }

    held = Q(start__gte=start, start__lt=end, end__lte=now) & ~Q(status=Meeting.Status.CANCELLED)
    meetings = Meeting.objects.filter(held).values_list("host_site__province_id").annotate(n=Count("pk")).order_by()
    for province_id, count in meetings:
        rows[province_id].meetings_held = count

    came = Attendance.objects.filter(meeting_id=OuterRef("meeting_id"), site_id=OuterRef("site_id"))
    invitations = (
        Participation.objects.filter(
            meeting__start__gte=start,
            meeting__start__lt=end,
            meeting__end__lte=now,
            active=True,
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .exclude(role=Participation.Role.HOST)
        .values_list("meeting__host_site__province_id")
        .annotate(invited=Count("pk"), connected=Count("pk", filter=Exists(came)))
        .order_by()
    )
    for province_id, invited, connected in invitations:
        rows[province_id].invited = invited
        rows[province_id].connected = connected

    months = fiscal_year_months(fy)
    costs = (
        Charge.objects.filter(month__gte=months[0], month__lte=months[-1])
        .values_list("line__site__province_id")
        .annotate(amount=Sum("total"))
        .order_by()
    )
    for province_id, amount in costs:
        rows[province_id].cost = money(amount)

    for province_id, road_km, length, trips in travel_rows(fy=fy, now=now):
        row = rows[province_id]
        if road_km is None:
            row.without_distance += trips
            continue
        hours = Decimal(length.total_seconds()) / Decimal(3600)  # as billing.selectors.travel_savings
        row.travels += trips
        row.mileage += money(road_km * 2 * CAR_RATE_PER_KM) * trips
        row.per_diem += per_diem_for(meeting_hours=hours, road_km=road_km) * trips

    return NationalSummary(fy=fy, first_day=first, last_day=last, as_of=now, provinces=list(rows.values()))
