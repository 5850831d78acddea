"""Writes for connectivity lines, their dated tariffs and the dated VAT rate.

A tariff or VAT rate entered after charges exist re-prices the charges it covers that are not locked yet; when a
locked (closed or paid) month would change, the write is refused and the message says to record an adjustment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from districts.models import Province, Site
from foundation.money import money, vat_of
from foundation.thaidate import format_be_short

from ..models import Charge, ConnectivityLine, Tariff, VatRate
from ..periods import SERVICE_START, month_label

# What Udon Thani's district offices got from 1 April 2561 (DOMAIN.md): NT fibre, 200/80 Mbps, 1,250 baht a month.
DEFAULT_PROVIDER = "NT (บริษัท โทรคมนาคมแห่งชาติ จำกัด (มหาชน))"
DEFAULT_SPEED_DOWN_MBPS = 200
DEFAULT_SPEED_UP_MBPS = 80
DEFAULT_MONTHLY_FEE = Decimal("1250.00")
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class LinesResult:
    created: int
    unchanged: int


def _amount(value, *, what: str) -> Decimal:
    try:
        return money(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("%(what)sไม่ถูกต้อง: %(error)s") % {"what": what, "error": error}) from None


def _thai(day: datetime.date) -> str:
    return format_be_short(day)


@transaction.atomic
def lines_for_province_create(
    *,
    province_code: str,
    monthly_fee: Decimal = DEFAULT_MONTHLY_FEE,
    start_date: datetime.date = SERVICE_START,
    provider: str = DEFAULT_PROVIDER,
) -> LinesResult:
    """Give every district office of a province a fibre line (200/80 Mbps) with its tariff from ``start_date``.

    Idempotent: a district office that already has a line keeps it as it is. Circuit ids are ``NT-<district code>``
    placeholders until finance types the operator's real ones (admin).
    """
    province = Province.objects.filter(code=province_code).first()
    if province is None:
        raise ValidationError(_("ไม่พบจังหวัดรหัส “%(code)s”: รหัสจังหวัดมี 2 หลัก เช่น 41 = อุดรธานี") % {"code": province_code})
    fee = _amount(monthly_fee, what=_("ค่าบริการรายเดือน"))
    if fee < 0:
        raise ValidationError(_("ค่าบริการรายเดือนติดลบไม่ได้: กรอกจำนวนเงินไม่รวม VAT ตั้งแต่ 0 ขึ้นไป เช่น 1250.00"))
    offices = list(
        Site.objects.filter(province=province, kind=Site.Kind.DISTRICT_OFFICE)
        .select_related("district")
        .order_by("district__code")
    )
    if not offices:
        raise ValidationError(
            _("จังหวัด%(province)s ยังไม่มีที่ทำการปกครองอำเภอในระบบ: รันคำสั่ง create_province_sites %(code)s ก่อน")
            % {"province": province.name_th, "code": province_code}
        )
    with_lines = set(ConnectivityLine.objects.filter(site__in=offices).values_list("site_id", flat=True).distinct())
    new_lines = [
        ConnectivityLine(
            site=site,
            provider=provider,
            circuit_id=f"NT-{site.district.code}",
            speed_down_mbps=DEFAULT_SPEED_DOWN_MBPS,
            speed_up_mbps=DEFAULT_SPEED_UP_MBPS,
            start_date=start_date,
        )
        for site in offices
        if site.pk not in with_lines
    ]
    for line in new_lines:
        line.full_clean(validate_unique=False, validate_constraints=False)
    ConnectivityLine.objects.bulk_create(new_lines)
    created = list(ConnectivityLine.objects.filter(circuit_id__in=[line.circuit_id for line in new_lines]))
    Tariff.objects.bulk_create([Tariff(line=line, monthly_fee=fee, effective_from=line.start_date) for line in created])
    return LinesResult(created=len(created), unchanged=len(offices) - len(created))


@transaction.atomic
def line_create(
    *,
    site: Site,
    provider: str,
    circuit_id: str,
    speed_down_mbps: int,
    speed_up_mbps: int,
    start_date: datetime.date,
    monthly_fee: Decimal,
    end_date: datetime.date | None = None,
) -> ConnectivityLine:
    """One line for a district office, with its first tariff from ``start_date``."""
    if site.kind != Site.Kind.DISTRICT_OFFICE:
        raise ValidationError(
            _("“%(site)s” ไม่ใช่ที่ทำการปกครองอำเภอ: วงจรสื่อสารที่เรียกเก็บค่าบริการเป็นของอำเภอเท่านั้น") % {"site": site}
        )
    line = ConnectivityLine(
        site=site,
        provider=provider,
        circuit_id=circuit_id,
        speed_down_mbps=speed_down_mbps,
        speed_up_mbps=speed_up_mbps,
        start_date=start_date,
        end_date=end_date,
    )
    line.full_clean()
    line.save()
    tariff_set(line=line, monthly_fee=monthly_fee, effective_from=start_date)
    return line


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    return (a_until is None or b_from <= a_until) and (b_until is None or a_from <= b_until)


def _period(start: datetime.date, until: datetime.date | None) -> str:
    return _("%(start)s ถึง %(until)s") % {
        "start": _thai(start),
        "until": _thai(until) if until else _("ปัจจุบัน (ไม่กำหนดวันสิ้นสุด)"),
    }


def _months_filter(start: datetime.date, until: datetime.date | None) -> Q:
    """Charges whose month's first day falls in ``start..until`` — the months a dated rate decides."""
    condition = Q(month__gte=start)
    if until is not None:
        condition &= Q(month__lte=until)
    return condition


def _refuse_if_locked(charges, *, what: str) -> None:
    locked = charges.filter(locked_at__isnull=False).select_related("line__site").order_by("month").first()
    if locked is not None:
        raise ValidationError(
            _(
                "%(what)sย้อนหลังไม่ได้: ค่าบริการเดือน %(month)s ของ%(site)s ปิดงวดแล้ว "
                "(เจ้าหน้าที่การเงินยืนยันปิดงวดของเดือน หรือชำระเงินแล้ว) "
                "ให้บันทึกรายการปรับปรุงของเดือนนั้นแทน หรือเลือกวันที่มีผลหลังเดือนที่ปิดงวด"
            )
            % {"what": what, "month": month_label(locked.month), "site": locked.line.site}
        )


@transaction.atomic
def tariff_set(
    *,
    line: ConnectivityLine,
    monthly_fee: Decimal | int | str,
    effective_from: datetime.date,
    effective_until: datetime.date | None = None,
) -> Tariff:
    """Set a line's monthly fee (VAT excluded) from a date.

    An open-ended new tariff that starts after the line's current open-ended one closes it the day before (a price
    change). Any other overlap with an existing tariff is refused with the tariff in the way. The charges of the
    months it decides (those whose first day falls in its period) are re-priced unless locked; a locked one makes
    the whole call fail.
    """
    fee = _amount(monthly_fee, what=_("ค่าบริการรายเดือน"))
    if fee < 0:
        raise ValidationError(
            _(
                "ค่าบริการรายเดือนติดลบไม่ได้ (%(fee)s): กรอกจำนวนเงินไม่รวม VAT ตั้งแต่ 0 ขึ้นไป เช่น 1250.00 "
                "ถ้าต้องการลดยอดของเดือนที่ผ่านมา ให้บันทึกรายการปรับปรุง"
            )
            % {"fee": f"{fee:,.2f}"}
        )
    if effective_until is not None and effective_until < effective_from:
        raise ValidationError(
            _("วันสิ้นสุด %(until)s อยู่ก่อนวันที่มีผล %(start)s: แก้วันสิ้นสุดให้อยู่หลังวันที่มีผล")
            % {"until": _thai(effective_until), "start": _thai(effective_from)}
        )
    line = ConnectivityLine.objects.select_for_update().select_related("site").get(pk=line.pk)
    existing = list(line.tariffs.order_by("effective_from"))
    to_close = None
    if effective_until is None and existing:
        last = existing[-1]
        if last.effective_until is None and last.effective_from < effective_from:
            to_close = last
    for tariff in existing:
        until = effective_from - ONE_DAY if tariff is to_close else tariff.effective_until
        if _overlaps(tariff.effective_from, until, effective_from, effective_until):
            raise ValidationError(
                _(
                    "อัตราค่าบริการใหม่ (%(period)s) ทับซ้อนกับอัตรา %(fee)s บาท ที่มีผล %(existing)s "
                    "ของวงจร %(circuit)s: เลือกวันที่มีผลหลังอัตราเดิม หรือกำหนดช่วงวันที่ไม่ทับกัน"
                )
                % {
                    "period": _period(effective_from, effective_until),
                    "fee": f"{tariff.monthly_fee:,.2f}",
                    "existing": _period(tariff.effective_from, tariff.effective_until),
                    "circuit": line.circuit_id,
                }
            )
    affected = Charge.objects.filter(
        _months_filter(effective_from, effective_until), line=line, kind=Charge.Kind.REGULAR
    )
    _refuse_if_locked(affected, what=pgettext("refused retroactively", "เปลี่ยนอัตราค่าบริการ"))
    if to_close is not None:
        to_close.effective_until = effective_from - ONE_DAY
        to_close.full_clean(validate_constraints=False)
        to_close.save(update_fields=["effective_until"])
    tariff = Tariff(line=line, monthly_fee=fee, effective_from=effective_from, effective_until=effective_until)
    tariff.full_clean()
    tariff.save()
    for charge in affected:
        _reprice(charge, fee=fee, rate=charge.vat_rate)
    return tariff


@transaction.atomic
def vat_rate_set(*, rate: Decimal | str, effective_from: datetime.date, note: str = "") -> VatRate:
    """Record the VAT rate (a fraction: ``Decimal("0.07")``) in force from a date until the next rate.

    Setting the same rate on the same date again changes nothing; a different rate on a date that already has one
    is refused (add a new dated rate instead). Charges of the months it decides are re-priced unless locked.
    """
    if isinstance(rate, float | bool) or not isinstance(rate, Decimal | str | int):
        raise ValidationError(_('อัตราภาษีต้องเป็นเลขทศนิยม (Decimal) เช่น "0.07" สำหรับร้อยละ 7 ห้ามใช้ float'))
    try:
        value = Decimal(rate)
    except ArithmeticError:
        raise ValidationError(
            _("อัตราภาษี “%(rate)s” ไม่ใช่ตัวเลข: กรอกเป็นเศษส่วน เช่น 0.07 สำหรับร้อยละ 7") % {"rate": rate}
        ) from None
    if not value.is_finite() or not 0 <= value < 1:
        raise ValidationError(
            _("อัตราภาษี %(rate)s ไม่ถูกต้อง: กรอกเป็นเศษส่วนระหว่าง 0 ถึง 1 เช่น 0.07 สำหรับร้อยละ 7 (ไม่ใช่ 7)") % {"rate": rate}
        )
    if value != value.quantize(Decimal("0.0001")):
        raise ValidationError(_("อัตราภาษี %(rate)s ละเอียดเกินไป: ใช้ทศนิยมไม่เกิน 4 ตำแหน่ง เช่น 0.07") % {"rate": rate})
    same_day = VatRate.objects.select_for_update().filter(effective_from=effective_from).first()
    if same_day is not None:
        if same_day.rate == value:
            return same_day
        raise ValidationError(
            _("มีอัตราภาษี %(rate)s%% ที่มีผลวันที่ %(date)s อยู่แล้ว: เพิ่มอัตราใหม่ด้วยวันที่มีผลอื่น แทนการแก้อัตราเดิม")
            % {"rate": f"{same_day.rate * 100:.2f}", "date": _thai(effective_from)}
        )
    following = VatRate.objects.filter(effective_from__gt=effective_from).order_by("effective_from").first()
    until = following.effective_from - ONE_DAY if following else None
    affected = Charge.objects.filter(_months_filter(effective_from, until), kind=Charge.Kind.REGULAR)
    _refuse_if_locked(affected, what=pgettext("refused retroactively", "เปลี่ยนอัตราภาษีมูลค่าเพิ่ม"))
    vat_rate = VatRate(rate=value, effective_from=effective_from, note=note)
    vat_rate.full_clean()
    vat_rate.save()
    for charge in affected:
        _reprice(charge, fee=charge.fee, rate=value)
    return vat_rate


def _reprice(charge: Charge, *, fee: Decimal, rate: Decimal) -> None:
    charge.fee = money(fee)
    charge.vat_rate = rate
    charge.vat = vat_of(charge.fee, rate)
    charge.total = money(charge.fee + charge.vat)
    charge.save(update_fields=["fee", "vat_rate", "vat", "total"])
