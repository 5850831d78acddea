"""Charges: the figures finance files, dated tariffs and VAT, the month rule, idempotency, locks and bad input."""

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum

from billing.models import Charge, ConnectivityLine, Tariff, VatRate
from billing.periods import parse_fiscal_year
from billing.selectors import fiscal_year_matrix
from billing.services import (
    charge_adjust,
    charge_mark_paid,
    charge_mark_paid_for_month,
    charges_generate,
    charges_generate_range,
    month_lock,
    tariff_set,
    vat_rate_set,
)
from districts.models import Site
from foundation.bahttext import bahttext
from foundation.thaidate import fiscal_year_bounds, fiscal_year_months
from tests.factories.billing import bill, charge_of, extra_line, udon_lines

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
D = datetime.date
APRIL_2561 = D(2018, 4, 1)


def month_total(month: datetime.date) -> Decimal:
    return Charge.objects.filter(month=month).aggregate(total=Sum("total"))["total"]


# --- The figures -------------------------------------------------------------------------------------------------


def test_a_district_office_pays_1250_plus_87_50_vat_1337_50_a_month(lines):
    bill(APRIL_2561)
    charge = charge_of("4122", APRIL_2561)
    assert (charge.fee, charge.vat, charge.total) == (Decimal("1250.00"), Decimal("87.50"), Decimal("1337.50"))
    assert charge.vat_rate == Decimal("0.0700")
    assert charge.status == Charge.Status.DUE
    assert charge.line.speed == "200/80 Mbps"
    assert Charge.objects.filter(month=APRIL_2561).count() == 20


def test_udon_thani_pays_26750_a_month_and_321000_for_fy_2562(fy2562, udon_scope):
    months = fiscal_year_months(2562)
    assert months[0] == D(2018, 10, 1)
    assert months[-1] == D(2019, 9, 1)
    for month in months:
        assert month_total(month) == Decimal("26750.00"), month
    _months, rows = fiscal_year_matrix(scope=udon_scope, fy=2562)
    assert len(rows) == 20
    assert all(row.total == Decimal("16050.00") for row in rows)
    year = sum((row.total for row in rows), Decimal(0))
    assert year == Decimal("321000.00")
    assert bahttext(year) == "สามแสนสองหมื่นหนึ่งพันบาทถ้วน"


def test_fy_2561_runs_from_1_oct_2560_to_30_sep_2561_and_billing_starts_in_april_2561(lines, udon_scope):
    assert fiscal_year_bounds(2561) == (D(2017, 10, 1), D(2018, 9, 30))
    result = charges_generate_range(start_month=D(2017, 10, 1), end_month=D(2018, 9, 30))
    assert result.created == 20 * 6
    assert Charge.objects.order_by("month").first().month == APRIL_2561
    months, rows = fiscal_year_matrix(scope=udon_scope, fy=2561)
    assert months[0] == D(2017, 10, 1)
    assert all(row.months[:6] == [Decimal(0)] * 6 for row in rows)  # ต.ค. 2560 .. มี.ค. 2561
    assert all(row.months[6:] == [Decimal("1337.50")] * 6 for row in rows)  # เม.ย. .. ก.ย. 2561
    assert sum((row.total for row in rows), Decimal(0)) == Decimal("160500.00")


# --- Dated tariffs and VAT ---------------------------------------------------------------------------------------


def test_a_tariff_change_mid_year_applies_from_its_date(lines, udon_scope):
    na_yung = ConnectivityLine.objects.get(site__district__code="4122")
    tariff_set(line=na_yung, monthly_fee=Decimal("1100.00"), effective_from=D(2019, 1, 1))
    bill(D(2018, 10, 1), D(2019, 9, 1))
    assert charge_of("4122", D(2018, 12, 1)).total == Decimal("1337.50")
    january = charge_of("4122", D(2019, 1, 1))
    assert (january.fee, january.vat, january.total) == (Decimal("1100.00"), Decimal("77.00"), Decimal("1177.00"))
    assert charge_of("4101", D(2019, 1, 1)).total == Decimal("1337.50")  # other lines keep their tariff
    old, new = na_yung.tariffs.order_by("effective_from")
    assert old.effective_until == D(2018, 12, 31)
    assert new.effective_until is None
    _months, rows = fiscal_year_matrix(scope=udon_scope, fy=2562)
    row = next(r for r in rows if r.district_code == "4122")
    assert row.total == 3 * Decimal("1337.50") + 9 * Decimal("1177.00")


def test_a_tariff_entered_after_billing_reprices_the_months_not_yet_locked(fy2562):
    na_yung = ConnectivityLine.objects.get(site__district__code="4122")
    tariff_set(line=na_yung, monthly_fee="1000", effective_from=D(2019, 7, 1))
    assert charge_of("4122", D(2019, 6, 1)).fee == Decimal("1250.00")
    assert charge_of("4122", D(2019, 7, 1)).total == Decimal("1070.00")
    assert charge_of("4122", D(2019, 9, 1)).total == Decimal("1070.00")


def test_a_vat_change_mid_year_applies_from_its_date(lines):
    vat_rate_set(rate=Decimal("0.10"), effective_from=D(2019, 4, 1), note="ทดสอบ: สิ้นสุดการลดอัตรา")
    bill(D(2018, 10, 1), D(2019, 9, 1))
    march, april = charge_of("4101", D(2019, 3, 1)), charge_of("4101", D(2019, 4, 1))
    assert (march.vat, march.total) == (Decimal("87.50"), Decimal("1337.50"))
    assert (april.vat_rate, april.vat, april.total) == (Decimal("0.1000"), Decimal("125.00"), Decimal("1375.00"))
    assert month_total(D(2019, 4, 1)) == Decimal("27500.00")


def test_a_vat_rate_from_the_15th_applies_from_the_next_month(lines):
    vat_rate_set(rate=Decimal("0.10"), effective_from=D(2019, 4, 15))
    bill(D(2019, 4, 1), D(2019, 5, 1))
    assert charge_of("4101", D(2019, 4, 1)).vat == Decimal("87.50")
    assert charge_of("4101", D(2019, 5, 1)).vat == Decimal("125.00")


# --- The month rule ----------------------------------------------------------------------------------------------


def test_a_line_is_billed_for_every_month_it_is_active_on_the_first_day(lines):
    starts_mid_month = extra_line(district_code="4122", start=D(2019, 1, 15), end=D(2019, 3, 10))
    starts_on_the_1st = extra_line(district_code="4101", start=D(2019, 2, 1), end=D(2019, 2, 28))
    bill(D(2018, 12, 1), D(2019, 5, 1))
    billed = list(starts_mid_month.charges.order_by("month").values_list("month", flat=True))
    assert billed == [D(2019, 2, 1), D(2019, 3, 1)]  # not January (started on the 15th), March (active on 1 March)
    assert list(starts_on_the_1st.charges.values_list("month", flat=True)) == [D(2019, 2, 1)]
    assert starts_mid_month.charges.first().total == Decimal("1070.00")


# --- Idempotency -------------------------------------------------------------------------------------------------


def test_generating_twice_bills_nobody_twice(lines):
    first = charges_generate_range(start_month=D(2018, 10, 1), end_month=D(2019, 9, 1))
    ids = set(Charge.objects.values_list("pk", flat=True))
    second = charges_generate_range(start_month=D(2018, 10, 1), end_month=D(2019, 9, 1))
    again = charges_generate(month=D(2019, 1, 20))
    assert (first.created, second.created, second.existing) == (240, 0, 240)
    assert (again.created, again.existing) == (0, 20)
    assert set(Charge.objects.values_list("pk", flat=True)) == ids
    assert Charge.objects.values("line", "month").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


def test_the_database_refuses_a_second_regular_charge_for_a_line_and_month(lines):
    bill(APRIL_2561)
    charge = charge_of("4122", APRIL_2561)
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.create(
            line=charge.line, month=APRIL_2561, fee=charge.fee, vat_rate=charge.vat_rate, vat=charge.vat,
            total=charge.total,
        )  # fmt: skip


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, available_apps=["billing"])
def test_two_generations_at_once_on_postgresql_bill_each_line_once_and_each_says_what_it_created():
    """Two `generate_charges` at the same moment, then two monthly runs for every month at the same moment: every
    line is billed once, and what each run says it created adds up to what is in the database (issue 15, point 15:
    both used to say they had created everything)."""
    import io

    from billing.management.commands import generate_charges

    assert connection.vendor == "postgresql"
    if not Site.objects.filter(province__code="41").exists():  # emptied by an earlier transactional test's flush
        from districts.management.commands import create_province_sites, load_geography

        # The command objects themselves: with available_apps=["billing"] their names are not looked up.
        call_command(load_geography.Command(), verbosity=0)
        call_command(create_province_sites.Command(), "41", verbosity=0)
    vat_rate_set(rate=Decimal("0.07"), effective_from=D(2018, 1, 1))  # the seed, flushed by an earlier such test
    udon_lines()
    barrier = threading.Barrier(2)
    errors, said, monthly = [], [], []

    def generate():
        out = io.StringIO()
        try:
            barrier.wait(timeout=10)
            call_command(generate_charges.Command(), "--from", "2561-10", "--to", "2562-03", stdout=out)
            said.append(re.search(r"(\d+) charges created, (\d+) already there", out.getvalue()).groups())
            barrier.wait(timeout=30)
            for month in fiscal_year_months(2562):
                result = charges_generate(month=month)
                monthly.append((month, result.created, result.existing))
            charges_generate_range(start_month=D(2018, 10, 1), end_month=D(2019, 9, 1))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(said) == [("0", "120"), ("120", "0")]  # one billed October..March, the other found it done
    for month in fiscal_year_months(2562):
        runs = [(created, existing) for when, created, existing in monthly if when == month]
        assert sum(created for created, _ in runs) == (0 if month <= D(2019, 3, 1) else 20), (month, runs)
        assert all(created + existing == 20 for created, existing in runs), (month, runs)
    assert Charge.objects.count() == 240
    assert Charge.objects.values("line", "month").distinct().count() == 240
    assert Charge.objects.aggregate(total=Sum("total"))["total"] == Decimal("321000.00")


def test_generation_counts_only_the_rows_it_inserted(lines):
    """A charge that is there without this run having seen it (the constraint skips it) is existing, not created."""
    partly = charges_generate(month=D(2019, 1, 1))
    assert (partly.created, partly.existing) == (20, 0)
    whole = charges_generate_range(start_month=D(2018, 12, 1), end_month=D(2019, 2, 1))
    assert (whole.created, whole.existing) == (40, 20)
    assert Charge.objects.count() == 60


# --- Locks, payments and adjustments -----------------------------------------------------------------------------


def test_paying_records_the_invoice_and_locks_the_month_of_that_line(fy2562):
    charge = charge_of("4122", D(2019, 1, 1))
    paid = charge_mark_paid(charge=charge, invoice_number=" NT-6201-0042 ", paid_on=D(2019, 2, 5))
    paid.refresh_from_db()
    assert (paid.status, paid.invoice_number, paid.paid_on) == ("paid", "NT-6201-0042", D(2019, 2, 5))
    assert paid.is_locked
    assert not charge_of("4101", D(2019, 1, 1)).is_locked


def test_a_locked_month_refuses_a_retroactive_tariff_and_takes_an_adjustment_instead(fy2562, udon_scope):
    assert month_lock(month=D(2019, 3, 1), scope=udon_scope) == 20
    na_yung = ConnectivityLine.objects.get(site__district__code="4122")
    with pytest.raises(ValidationError, match="ปิดงวดแล้ว"):
        tariff_set(line=na_yung, monthly_fee="1000", effective_from=D(2019, 2, 1))
    with pytest.raises(ValidationError, match="รายการปรับปรุง"):
        vat_rate_set(rate="0.10", effective_from=D(2019, 1, 1))
    assert na_yung.tariffs.count() == 1
    assert VatRate.objects.count() == 1
    march = charge_of("4122", D(2019, 3, 1))
    assert march.total == Decimal("1337.50")
    assert charge_of("4122", D(2019, 2, 1)).total == Decimal("1337.50")  # nothing was re-priced either

    credit = charge_adjust(charge=march, amount=Decimal("-250.00"), reason="วงจรขัดข้อง 6 วัน ผู้ให้บริการลดค่าบริการ")
    assert (credit.kind, credit.adjusts, credit.month) == ("adjustment", march, D(2019, 3, 1))
    assert (credit.fee, credit.vat, credit.total) == (Decimal("-250.00"), Decimal("-17.50"), Decimal("-267.50"))
    march.refresh_from_db()
    assert march.total == Decimal("1337.50")
    assert month_total(D(2019, 3, 1)) == Decimal("26482.50")


def test_a_tariff_from_after_the_locked_months_is_accepted(fy2562, udon_scope):
    month_lock(month=D(2019, 3, 1), scope=udon_scope)
    na_yung = ConnectivityLine.objects.get(site__district__code="4122")
    tariff_set(line=na_yung, monthly_fee="1000", effective_from=D(2019, 4, 1))
    assert charge_of("4122", D(2019, 4, 1)).fee == Decimal("1000.00")


def test_an_adjustment_needs_a_reason_and_cannot_take_the_month_below_zero(fy2562):
    charge = charge_of("4122", D(2019, 3, 1))
    with pytest.raises(ValidationError, match="เหตุผล"):
        charge_adjust(charge=charge, amount="-100", reason="  ")
    with pytest.raises(ValidationError, match=re.escape("ลดยอดได้ไม่เกิน 1,250.00")):
        charge_adjust(charge=charge, amount="-1250.01", reason="คืนเงินเกิน")
    with pytest.raises(ValidationError, match="ไม่เป็นศูนย์"):
        charge_adjust(charge=charge, amount="0", reason="ไม่มีอะไร")
    assert Charge.objects.filter(kind="adjustment").count() == 0


# --- Bad input: a clear Thai error and nothing written -----------------------------------------------------------


def test_a_negative_fee_is_refused_and_nothing_is_written(lines):
    na_yung = ConnectivityLine.objects.get(site__district__code="4122")
    with pytest.raises(ValidationError) as caught:
        tariff_set(line=na_yung, monthly_fee=Decimal("-1250.00"), effective_from=D(2019, 1, 1))
    assert "ติดลบไม่ได้" in caught.value.messages[0]
    assert "1250.00" in caught.value.messages[0]  # how to fix it
    assert na_yung.tariffs.count() == 1
    assert na_yung.tariffs.get().effective_until is None


def test_overlapping_tariffs_for_one_line_are_refused_with_the_tariff_in_the_way(lines):
    na_yung = ConnectivityLine.objects.get(site__district__code="4122")
    with pytest.raises(ValidationError) as caught:
        tariff_set(line=na_yung, monthly_fee="900", effective_from=D(2019, 1, 1), effective_until=D(2019, 3, 31))
    message = caught.value.messages[0]
    assert "ทับซ้อน" in message
    assert "1,250.00" in message
    assert "1 เม.ย. 2561" in message
    with pytest.raises(ValidationError, match="ทับซ้อน"):
        tariff_set(line=na_yung, monthly_fee="900", effective_from=APRIL_2561)
    assert na_yung.tariffs.count() == 1
    assert na_yung.tariffs.get().effective_until is None


@pytest.mark.integration
def test_postgresql_refuses_overlapping_tariffs_written_around_the_service(lines):
    na_yung = ConnectivityLine.objects.get(site__district__code="4122")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.create(line=na_yung, monthly_fee=Decimal(900), effective_from=D(2019, 1, 1))


def test_a_second_payment_for_a_paid_month_is_refused(fy2562):
    charge = charge_of("4122", D(2019, 1, 1))
    charge_mark_paid(charge=charge, invoice_number="INV-1", paid_on=D(2019, 2, 5))
    with pytest.raises(ValidationError) as caught:
        charge_mark_paid(charge=charge, invoice_number="INV-2", paid_on=D(2019, 2, 6))
    assert "ชำระแล้ว" in caught.value.messages[0]
    assert "INV-1" in caught.value.messages[0]
    charge.refresh_from_db()
    assert (charge.invoice_number, charge.paid_on) == ("INV-1", D(2019, 2, 5))


def test_a_payment_for_an_unknown_month_is_refused(fy2562, udon_scope):
    with pytest.raises(ValidationError) as caught:
        charge_mark_paid_for_month(
            scope=udon_scope, district_code="4122", month=D(2017, 5, 1), invoice_number="X", paid_on=D(2019, 1, 1)
        )
    assert "ไม่มีค่าบริการของอำเภอรหัส 4122 เดือน พ.ค. 2560" in caught.value.message_dict["month"][0]
    assert Charge.objects.filter(status="paid").count() == 0


def test_a_payment_with_a_wrong_date_or_no_invoice_is_refused(fy2562):
    charge = charge_of("4122", D(2019, 1, 1))
    with pytest.raises(ValidationError) as caught:
        charge_mark_paid(charge=charge, invoice_number="", paid_on=D(2018, 12, 31))
    assert set(caught.value.message_dict) == {"invoice_number", "paid_on"}
    assert "ก่อนเดือนที่เรียกเก็บ" in caught.value.message_dict["paid_on"][0]
    with pytest.raises(ValidationError, match="ยังมาไม่ถึง"):
        charge_mark_paid(charge=charge, invoice_number="INV", paid_on=D(2999, 1, 1))
    charge.refresh_from_db()
    assert charge.status == "due"
    assert not charge.is_locked


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018", "ดูเหมือนเป็นปี ค.ศ."),
        ("2560", "ไม่มีปีงบประมาณ 2560"),
        ("9999", "ต้องเป็นปี พ.ศ."),
        ("2700", "ยังไม่เริ่ม"),
        ("ปีนี้", "ต้องเป็นปี พ.ศ. 4 หลัก"),
    ],
)
def test_a_fiscal_year_that_does_not_exist_is_refused(value, expected):
    with pytest.raises(ValidationError) as caught:
        parse_fiscal_year(value)
    assert expected in caught.value.messages[0]


def test_fiscal_years_that_exist_are_read():
    assert parse_fiscal_year("2561") == 2561
    assert parse_fiscal_year(2562) == 2562


def test_a_month_that_has_not_started_or_a_vat_rate_that_is_not_a_fraction_is_refused(lines):
    with pytest.raises(ValidationError, match="ยังไม่ถึงเดือน"):
        charges_generate(month=D(2999, 1, 1))
    with pytest.raises(ValidationError, match="ไม่ใช่ 7"):
        vat_rate_set(rate="7", effective_from=D(2020, 1, 1))
    with pytest.raises(ValidationError, match="ห้ามใช้ float"):
        vat_rate_set(rate=0.07, effective_from=D(2020, 1, 1))
    assert Charge.objects.count() == 0
    assert VatRate.objects.count() == 1


def test_billing_a_month_without_a_vat_rate_is_refused_before_anything_is_written(lines):
    VatRate.objects.all().delete()
    with pytest.raises(ValidationError, match=re.escape("ไม่มีอัตราภาษีมูลค่าเพิ่มที่มีผลในเดือน เม.ย. 2561")):
        charges_generate_range(start_month=APRIL_2561, end_month=D(2018, 6, 1))
    assert Charge.objects.count() == 0


def test_seeding_lines_is_idempotent_and_needs_a_known_province(lines):
    assert len(udon_lines()) == 20
    assert Tariff.objects.filter(line__site__province__code="41").count() == 20
    from billing.services import lines_for_province_create

    with pytest.raises(ValidationError, match="ไม่พบจังหวัดรหัส"):
        lines_for_province_create(province_code="99")
    with pytest.raises(ValidationError, match="create_province_sites 39"):
        lines_for_province_create(province_code="39")
