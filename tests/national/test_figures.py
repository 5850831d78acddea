"""The national figures are the provinces' own reports added up, at a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from billing.exporters import FiscalYearSummary, TravelSavingsReport
from billing.scope import BillingScope
from districts.models import Province
from districts.services import province_sites_create
from foundation.thaidate import fiscal_year
from join.selectors import attendance_report
from meetings.models import Meeting
from national.selectors import national_summary

from .conftest import FY, held

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL


def own_reports(province: Province) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A province's finance officer's figures for FY 2562, through billing's report code: (connectivity in the
    fiscal-year summary, connectivity, travel saved and net in the travel-savings report)."""
    scope = BillingScope(province_id=province.pk, label=f"จังหวัด{province.name_th}")
    summary = FiscalYearSummary(params={"fy": FY}, scope=scope)
    summary.load()
    savings = TravelSavingsReport(params={"fy": FY}, scope=scope)
    savings.load()
    totals = savings.savings.totals
    return summary.grand_total, totals.connectivity, totals.travel, totals.net


def attendance_of(province: Province) -> tuple[int, int, int]:
    """(meetings held, invited sites, connected sites) from join's attendance report of each meeting held."""
    meetings = [
        meeting
        for meeting in Meeting.objects.filter(host_site__province=province, end__lte=timezone.now()).exclude(
            status="cancelled"
        )
        if fiscal_year(meeting.start) == FY
    ]
    invited = connected = 0
    for meeting in meetings:
        for row in attendance_report(meeting=meeting).sites:
            if not row.is_host:
                invited += 1
                connected += row.status != "absent"
    return len(meetings), invited, connected


def test_the_country_totals_are_the_provinces_own_reports_added_up(provinces):
    summary = national_summary(fy=FY)
    assert len(summary.provinces) == 77
    by_code = {row.code: row for row in summary.provinces}
    sums = dict.fromkeys(("cost", "saved", "net"), Decimal("0.00"))
    for code in ("41", "39"):
        province = Province.objects.get(code=code)
        fy_total, connectivity, travel, net = own_reports(province)
        row = by_code[code]
        assert (row.cost, row.saved, row.net) == (fy_total, travel, net), code
        assert connectivity == fy_total
        assert (row.meetings_held, row.invited, row.connected) == attendance_of(province), code
        sums["cost"] += fy_total
        sums["saved"] += travel
        sums["net"] += net
    totals = summary.totals
    assert (totals.cost, totals.saved, totals.net) == (sums["cost"], sums["saved"], sums["net"])
    assert all(isinstance(value, Decimal) for value in (totals.cost, totals.saved, totals.net))
    # The figures themselves, worked by hand: 20 + 6 lines × 1,337.50 × 12 months.
    assert by_code["41"].cost == Decimal("321000.00")
    assert by_code["39"].cost == Decimal("96300.00")
    assert by_code["41"].meetings_held == 4  # the cancelled one and the one of FY 2563 are not counted
    assert (by_code["41"].invited, by_code["41"].connected) == (10, 4)  # 4122+4101 (20 Oct), 4120, 4105
    assert by_code["39"].saved > 0
    assert by_code["39"].without_distance == 2  # Nong Bua Lam Phu district 3905 has no road distance
    assert all(row.meetings_held == 0 and row.cost == 0 for row in summary.provinces if row.code not in by_code)


def test_the_country_totals_follow_billings_rule_for_the_whole_country(provinces):
    """Billing's travel-savings report with the country scope (the operators') gives the same country totals."""
    country = TravelSavingsReport(params={"fy": FY}, scope=BillingScope.country())
    country.load()
    totals = national_summary(fy=FY).totals
    assert (totals.saved, totals.cost, totals.net) == (
        country.savings.totals.travel,
        country.savings.totals.connectivity,
        country.savings.totals.net,
    )
    assert totals.without_distance == country.savings.without_distance


def test_the_query_count_does_not_grow_with_the_provinces(provinces, django_assert_num_queries):
    with django_assert_num_queries(6):  # provinces, meetings held, invitations, charges, travel (attendance, invited)
        national_summary(fy=FY)
    for code in ("40", "42", "43", "44", "45"):
        province_sites_create(province_code=code)
    held(province="40", sites=["4001", "4002"], connected=["4001"])
    held(province="43", sites=["4301"])
    held(province="45", sites=["4501", "4502", "4503"], connected=["4502"])
    with django_assert_num_queries(6):
        summary = national_summary(fy=FY)
    assert sum(1 for row in summary.provinces if row.meetings_held) == 5


def test_another_fiscal_year_counts_its_own_meetings_only(provinces):
    """FY 2561 has Nong Bua Lam Phu's meeting of 28 September 2561 and no charge (billing started in October)."""
    totals = national_summary(fy=2561).totals
    assert (totals.meetings_held, totals.invited, totals.connected_percent) == (1, 1, Decimal("0.0"))
    # 3901 by invitation: 30 km × 2 × 4 baht, no per diem (2 h + 1 h on the road)
    assert (totals.cost, totals.saved, totals.net) == (Decimal("0.00"), Decimal("240.00"), Decimal("240.00"))
