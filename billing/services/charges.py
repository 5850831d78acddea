"""Monthly charges: generation (idempotent), payment, adjustments and month locks.

**The month rule** — a line is billed a *full* month for every month whose **first day** falls within its service
(``start_date <= 1st of the month`` and no ``end_date`` or ``end_date >= 1st of the month``), at the tariff and the
VAT rate **in force on that first day**. So a line starting 1 April 2561 is billed from April 2561; one starting on
15 April 2561 is first billed for May 2561 (the half month is free); one ending on 10 June is billed for June (it
was active on 1 June) and not for July. There is no pro-rating.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation.audit import Action as AuditAction
from foundation.audit import audit_record
from foundation.money import money, vat_of
from foundation.thaidate import format_be_short

from ..models import Charge, ConnectivityLine, Tariff, VatRate
from ..periods import current_month, first_of_month, month_label, months_between
from ..scope import BillingScope

BULK_BATCH = 2000


@dataclass
class GenerationResult:
    months: list[datetime.date]
    created: int = 0
    existing: int = 0
    missing_tariff: list[str] = field(default_factory=list)


def _in_force(dated: list, day: datetime.date):
    """The row of ``dated`` (sorted by ``effective_from``) in force on ``day``: the last one started by then."""
    found = None
    for row in dated:
        if row.effective_from > day:
            break
        found = row
    return found


def _tariff_on(tariffs: list[Tariff], day: datetime.date) -> Tariff | None:
    tariff = _in_force(tariffs, day)
    if tariff is None or (tariff.effective_until is not None and tariff.effective_until < day):
        return None
    return tariff


def _billable(line: ConnectivityLine, month: datetime.date) -> bool:
    return line.start_date <= month and (line.end_date is None or line.end_date >= month)


def amounts(fee: Decimal, rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """Fee, VAT and total of a charge, each rounded once with ``foundation.money``."""
    fee = money(fee)
    vat = vat_of(fee, rate)
    return fee, vat, money(fee + vat)


def charges_generate(*, month: datetime.date) -> GenerationResult:
    """Bill every line for ``month`` (any day of it); see the module docstring for the month rule."""
    return charges_generate_range(start_month=month, end_month=month)


@transaction.atomic
def charges_generate_range(*, start_month: datetime.date, end_month: datetime.date) -> GenerationResult:
    """Bill every line for every month from ``start_month`` to ``end_month`` (backfill from April 2561).

    Idempotent: a regular charge is unique per (line, month) in the database and rows are inserted with
    ``ON CONFLICT DO NOTHING``, so running it twice — or in two processes at the same moment — bills nobody twice.
    Two runs at once are serialised on the lines' row locks, and ``created`` counts the rows this run inserted
    (counted in the database, never the rows it tried): the second of two runs reports 0 created.
    Existing charges are never touched. Lines with no tariff in force are skipped and listed in the result.
    A month that has not started, or one without a VAT rate in force, is refused before anything is written.
    """
    start, end = first_of_month(start_month), first_of_month(end_month)
    if start > end:
        raise ValidationError(
            _("เดือนเริ่ม %(start)s อยู่หลังเดือนสุดท้าย %(end)s: สลับลำดับเดือนให้ถูกต้อง")
            % {"start": month_label(start), "end": month_label(end)}
        )
    now_month = current_month()
    if end > now_month:
        raise ValidationError(
            _("ยังไม่ถึงเดือน %(month)s: สร้างค่าบริการได้ถึงเดือนปัจจุบัน (%(current)s) เท่านั้น")
            % {"month": month_label(end), "current": month_label(now_month)}
        )
    months = months_between(start, end)
    rates = list(VatRate.objects.order_by("effective_from"))
    lines = list(
        ConnectivityLine.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=start), start_date__lte=end)
        .select_related("site")
        .prefetch_related(Prefetch("tariffs", queryset=Tariff.objects.order_by("effective_from")))
    )
    line_ids = [line.pk for line in lines]
    # Two runs at once (beat and an operator's command, two workers): each takes the lines' row locks, in the same
    # order, before reading what exists, so the second waits for the first to commit and then sees its charges.
    # FOR NO KEY UPDATE: paying or adjusting (a charge row pointing at the line) is not held up.
    list(ConnectivityLine.objects.select_for_update(no_key=True).filter(pk__in=line_ids).order_by("pk").values("pk"))
    regular = Charge.objects.filter(kind=Charge.Kind.REGULAR, line_id__in=line_ids, month__gte=start, month__lte=end)
    existing = set(regular.values_list("line_id", "month"))
    tariffs = {line.pk: list(line.tariffs.all()) for line in lines}
    result = GenerationResult(months=months)
    new = []
    for month in months:
        vat_rate = _in_force(rates, month)
        for line in lines:
            if not _billable(line, month):
                continue
            if vat_rate is None:
                raise ValidationError(
                    _("ไม่มีอัตราภาษีมูลค่าเพิ่มที่มีผลในเดือน %(month)s: เพิ่มอัตราภาษีในหน้าผู้ดูแลระบบ (อัตราภาษีมูลค่าเพิ่ม) ก่อนสร้างค่าบริการ")
                    % {"month": month_label(month)}
                )
            if (line.pk, month) in existing:
                result.existing += 1
                continue
            tariff = _tariff_on(tariffs[line.pk], month)
            if tariff is None:
                result.missing_tariff.append(
                    _("%(site)s (%(circuit)s) เดือน %(month)s")
                    % {"site": line.site, "circuit": line.circuit_id, "month": month_label(month)}
                )
                continue
            fee, vat, total = amounts(tariff.monthly_fee, vat_rate.rate)
            new.append(Charge(line=line, month=month, fee=fee, vat_rate=vat_rate.rate, vat=vat, total=total))
    Charge.objects.bulk_create(new, batch_size=BULK_BATCH, ignore_conflicts=True)
    # What this run really inserted: ON CONFLICT DO NOTHING says nothing of the rows it skipped, so count them.
    # Under the lines' locks nobody else bills these lines meanwhile; a row found there by the constraint
    # anyway (another path) counts as existing, never as created.
    result.created = regular.count() - len(existing)
    result.existing += len(new) - result.created
    return result


def _lock_time() -> datetime.datetime:
    return timezone.now()


@transaction.atomic
def month_lock(*, month: datetime.date, scope: BillingScope, line_ids: Iterable[int] | None = None) -> int:
    """Lock the charges of ``month`` in ``scope`` (optionally only some lines): their amounts never change again.

    Called when a finance officer closes the month (``month_close``), and for one line's month when its charge is
    paid.
    Returns how many charges became locked (already locked ones keep their first lock time).
    """
    charges = Charge.objects.filter(scope.site_filter("line__site__"), month=first_of_month(month), locked_at=None)
    if line_ids is not None:
        charges = charges.filter(line_id__in=list(line_ids))
    return charges.update(locked_at=_lock_time())


@dataclass
class MonthClosing:
    """What closing a month locked: ``locked`` charges now, ``already`` locked before (paid, or closed earlier)."""

    month: datetime.date
    locked: int
    already: int


@transaction.atomic
def month_close(*, user, month: datetime.date, scope: BillingScope) -> MonthClosing:
    """Close ``month`` in ``scope`` (the finance officer's explicit, confirmed act): its charges are locked for good.

    The only way a whole month is locked besides paying each line; downloading a report never writes anything.
    Refused when the month has no charge in the scope. Recorded in the audit log (who, which month, how many).
    """
    month = first_of_month(month)
    charges = Charge.objects.filter(scope.site_filter("line__site__"), month=month)
    if not charges.exists():
        raise ValidationError(
            {
                "month": _(
                    "ไม่มีรายการค่าบริการของเดือน %(month)s ใน%(scope)s: ไม่มีอะไรให้ปิดงวด "
                    "เลือกเดือนอื่น หรือสร้างค่าบริการของเดือนนั้นก่อน (คำสั่ง generate_charges)"
                )
                % {"month": month_label(month), "scope": scope.label}
            }
        )
    already = charges.exclude(locked_at=None).count()
    locked = month_lock(month=month, scope=scope)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        detail={"closed_month": month.isoformat(), "scope": scope.label, "locked": locked, "already": already},
    )
    return MonthClosing(month=month, locked=locked, already=already)


@transaction.atomic
def charge_mark_paid(*, charge: Charge, invoice_number: str, paid_on: datetime.date) -> Charge:
    """Record the operator's invoice number and the payment date; the line's month becomes locked.

    Refused when the charge is already paid (its month is locked: an extra amount is an adjustment row), when the
    invoice number is missing, or when the date is in the future or before the month billed.
    """
    charge = Charge.objects.select_for_update().select_related("line__site").get(pk=charge.pk)
    invoice_number = (invoice_number or "").strip()
    if charge.status == Charge.Status.PAID:
        raise ValidationError(
            _(
                "ค่าบริการเดือน %(month)s ของ%(site)s ชำระแล้ว "
                "(ใบแจ้งหนี้ %(invoice)s วันที่ %(paid_on)s) และปิดงวดแล้ว: "
                "บันทึกซ้ำไม่ได้ หากผู้ให้บริการเรียกเก็บเพิ่มหรือคืนเงิน ให้บันทึกรายการปรับปรุง"
            )
            % {
                "month": month_label(charge.month),
                "site": charge.line.site,
                "invoice": charge.invoice_number,
                "paid_on": format_be_short(charge.paid_on),
            }
        )
    errors = {}
    if not invoice_number:
        errors["invoice_number"] = _("กรอกเลขที่ใบแจ้งหนี้/ใบกำกับภาษีของผู้ให้บริการ ตามที่พิมพ์บนใบแจ้งหนี้")
    if paid_on is None:
        errors["paid_on"] = _("กรอกวันที่ชำระเงิน เช่น 05/05/2561")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("วันที่ชำระ %(paid_on)s ยังมาไม่ถึง: กรอกวันที่ชำระจริง (วันนี้หรือก่อนหน้า)") % {
            "paid_on": format_be_short(paid_on)
        }
    elif paid_on < charge.month:
        errors["paid_on"] = _("วันที่ชำระ %(paid_on)s อยู่ก่อนเดือนที่เรียกเก็บ (%(month)s): ตรวจสอบปี พ.ศ. และเดือนอีกครั้ง") % {
            "paid_on": format_be_short(paid_on),
            "month": month_label(charge.month),
        }
    if errors:
        raise ValidationError(errors)
    charge.status = Charge.Status.PAID
    charge.invoice_number = invoice_number
    charge.paid_on = paid_on
    charge.locked_at = charge.locked_at or _lock_time()
    charge.full_clean()
    charge.save(update_fields=["status", "invoice_number", "paid_on", "locked_at"])
    Charge.objects.filter(line_id=charge.line_id, month=charge.month, locked_at=None).update(locked_at=charge.locked_at)
    return charge


@transaction.atomic
def charge_mark_paid_for_month(
    *, scope: BillingScope, district_code: str, month: datetime.date, invoice_number: str, paid_on: datetime.date
) -> Charge:
    """Pay a district's regular charge of a month, found by district code and month (the API's bulk form)."""
    month = first_of_month(month)
    candidates = list(
        Charge.objects.filter(
            scope.site_filter("line__site__"),
            line__site__district__code=district_code,
            month=month,
            kind=Charge.Kind.REGULAR,
        )
    )
    if not candidates:
        raise ValidationError(
            {
                "month": _(
                    "ไม่มีค่าบริการของอำเภอรหัส %(district)s เดือน %(month)s ในขอบเขตของท่าน: "
                    "ตรวจสอบรหัสอำเภอและเดือน (เริ่มเรียกเก็บ เม.ย. 2561) หรือสร้างค่าบริการของเดือนนั้นก่อน"
                )
                % {"district": district_code, "month": month_label(month)}
            }
        )
    if len(candidates) > 1:
        raise ValidationError({"month": _("อำเภอนี้มีมากกว่าหนึ่งวงจรในเดือนนี้: บันทึกการชำระทีละรายการด้วยรหัสรายการ (id)")})
    return charge_mark_paid(charge=candidates[0], invoice_number=invoice_number, paid_on=paid_on)


@transaction.atomic
def charge_adjust(*, charge: Charge, amount: Decimal | int | str, reason: str) -> Charge:
    """Correct a month's charge with an adjustment row (never an edit): ``amount`` is the fee change excl. VAT.

    VAT is added at the rate of the charge adjusted. A negative amount is a credit; the month's fee for the line
    may not fall below zero. The new row is due until paid like any charge.
    """
    charge = Charge.objects.select_for_update().select_related("line__site").get(pk=charge.pk)
    if charge.kind != Charge.Kind.REGULAR:
        raise ValidationError(_("ปรับปรุงได้เฉพาะรายการค่าบริการรายเดือน: เลือกรายการค่าบริการของเดือนนั้น ไม่ใช่รายการปรับปรุง"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("กรอกเหตุผลของการปรับปรุง เช่น “ผู้ให้บริการลดค่าบริการเพราะวงจรขัดข้อง 5 วัน”")})
    try:
        fee = money(amount)
    except (TypeError, ValueError) as error:
        raise ValidationError({"amount": _("จำนวนเงินไม่ถูกต้อง: %(error)s") % {"error": error}}) from None
    if fee == 0:
        raise ValidationError({"amount": _("จำนวนเงินปรับปรุงต้องไม่เป็นศูนย์: ใช้ค่าบวกเพื่อเรียกเก็บเพิ่ม ค่าลบเพื่อลดยอด")})
    so_far = charge.fee + (charge.adjustments.aggregate(total=Sum("fee"))["total"] or Decimal(0))
    if so_far + fee < 0:
        raise ValidationError(
            {
                "amount": _("ลดยอดได้ไม่เกิน %(amount)s บาท (ค่าบริการเดือนนี้หลังปรับปรุงแล้ว): ตรวจสอบจำนวนเงินอีกครั้ง")
                % {"amount": f"{so_far:,.2f}"}
            }
        )
    fee, vat, total = amounts(fee, charge.vat_rate)
    adjustment = Charge(
        line=charge.line,
        month=charge.month,
        kind=Charge.Kind.ADJUSTMENT,
        adjusts=charge,
        reason=reason,
        fee=fee,
        vat_rate=charge.vat_rate,
        vat=vat,
        total=total,
    )
    adjustment.full_clean()
    adjustment.save()
    return adjustment
