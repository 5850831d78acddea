"""Connectivity lines, their dated tariffs, dated VAT rates, monthly charges, and the record of every export.

Money is ``DecimalField(max_digits=13, decimal_places=2)`` and every amount is rounded by ``foundation.money.money``
before it is stored. Writes go through ``billing.services``; these classes only hold fields and constraints.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from districts.models import Site
from foundation.constraints import DateRange, PostgresExclusionConstraint

MONEY = {"max_digits": 13, "decimal_places": 2}


class ConnectivityLine(models.Model):
    """The operator's fibre line of one district office (ที่ทำการปกครองอำเภอ)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="connectivity_lines",
        limit_choices_to={"kind": Site.Kind.DISTRICT_OFFICE},
        verbose_name=_("ที่ทำการปกครองอำเภอ"),
    )
    provider = models.CharField(_("ผู้ให้บริการ"), max_length=100)
    circuit_id = models.CharField(_("หมายเลขวงจร"), max_length=50, unique=True)
    speed_down_mbps = models.PositiveIntegerField(_("ความเร็วดาวน์โหลด (Mbps)"), validators=[MinValueValidator(1)])
    speed_up_mbps = models.PositiveIntegerField(_("ความเร็วอัปโหลด (Mbps)"), validators=[MinValueValidator(1)])
    start_date = models.DateField(_("วันเริ่มใช้บริการ"))
    end_date = models.DateField(_("วันสิ้นสุดบริการ"), null=True, blank=True)

    class Meta:
        ordering = ["site__district__code", "start_date"]
        verbose_name = _("วงจรสื่อสาร")
        verbose_name_plural = _("วงจรสื่อสาร")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="line_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.provider} {self.circuit_id}"

    @property
    def speed(self) -> str:
        return f"{self.speed_down_mbps}/{self.speed_up_mbps} Mbps"


class Tariff(models.Model):
    """The monthly fee of a line, VAT excluded, from a date (until a date, or until changed)."""

    line = models.ForeignKey(
        ConnectivityLine, on_delete=models.CASCADE, related_name="tariffs", verbose_name=_("วงจรสื่อสาร")
    )
    monthly_fee = models.DecimalField(
        _("ค่าบริการรายเดือน (ไม่รวม VAT)"), **MONEY, validators=[MinValueValidator(Decimal(0))]
    )
    effective_from = models.DateField(_("มีผลตั้งแต่"))
    effective_until = models.DateField(_("มีผลถึง"), null=True, blank=True, help_text=_("ว่างไว้ = จนกว่าจะเปลี่ยนอัตรา"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line", "effective_from"]
        verbose_name = _("อัตราค่าบริการ")
        verbose_name_plural = _("อัตราค่าบริการ")
        constraints = [
            models.UniqueConstraint(fields=["line", "effective_from"], name="tariff_unique_start_per_line"),
            models.CheckConstraint(condition=models.Q(monthly_fee__gte=0), name="tariff_fee_not_negative"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="tariff_ends_after_start",
            ),
            PostgresExclusionConstraint(
                name="tariff_no_overlap_per_line",
                expressions=[
                    ("line", RangeOperators.EQUAL),
                    (DateRange("effective_from", "effective_until", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.circuit_id}: {self.monthly_fee} ตั้งแต่ {self.effective_from}"


class VatRate(models.Model):
    """The VAT rate in force from a date until the next row. The legal rate is 10 %, reduced by royal decree."""

    rate = models.DecimalField(
        _("อัตรา (เศษส่วน เช่น 0.07)"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.9999"))],
    )
    effective_from = models.DateField(_("มีผลตั้งแต่"), unique=True)
    note = models.CharField(_("ที่มา"), max_length=300, blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("อัตราภาษีมูลค่าเพิ่ม")
        verbose_name_plural = _("อัตราภาษีมูลค่าเพิ่ม")
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lt=1), name="vat_rate_is_a_fraction")
        ]

    def __str__(self) -> str:
        return f"{self.rate * 100:.2f}% ตั้งแต่ {self.effective_from}"


class Charge(models.Model):
    """What one line costs for one month (``month`` is the first day of the month).

    A regular charge is unique per line and month. Once its month is locked (closed or paid) its amounts never
    change: a correction is an adjustment row pointing at it, with a reason.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", _("ค่าบริการรายเดือน")
        ADJUSTMENT = "adjustment", _("รายการปรับปรุง")

    class Status(models.TextChoices):
        DUE = "due", _("ค้างชำระ")
        PAID = "paid", _("ชำระแล้ว")

    line = models.ForeignKey(
        ConnectivityLine, on_delete=models.PROTECT, related_name="charges", verbose_name=_("วงจรสื่อสาร")
    )
    month = models.DateField(_("เดือน"))
    kind = models.CharField(_("ประเภท"), max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    adjusts = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name=_("ปรับปรุงรายการ"),
    )
    reason = models.CharField(_("เหตุผลการปรับปรุง"), max_length=300, blank=True)
    fee = models.DecimalField(_("ค่าบริการ (ไม่รวม VAT)"), **MONEY)
    vat_rate = models.DecimalField(_("อัตราภาษี"), max_digits=5, decimal_places=4)
    vat = models.DecimalField(_("ภาษีมูลค่าเพิ่ม"), **MONEY)
    total = models.DecimalField(_("รวม"), **MONEY)
    status = models.CharField(_("สถานะ"), max_length=4, choices=Status.choices, default=Status.DUE)
    invoice_number = models.CharField(_("เลขที่ใบแจ้งหนี้/ใบกำกับภาษีของผู้ให้บริการ"), max_length=50, blank=True)
    paid_on = models.DateField(_("วันที่ชำระ"), null=True, blank=True)
    locked_at = models.DateTimeField(
        _("ปิดงวดเมื่อ"), null=True, blank=True, help_text=_("ตั้งเมื่อปิดงวดของเดือน (ยืนยันในหน้าปิดงวด) หรือบันทึกการชำระ")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["month", "line__site__district__code", "kind", "pk"]
        verbose_name = _("ค่าใช้จ่ายรายเดือน")
        verbose_name_plural = _("ค่าใช้จ่ายรายเดือน")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "month"], condition=models.Q(kind="regular"), name="charge_once_per_line_and_month"
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="charge_month_is_first_day"),
            models.CheckConstraint(
                condition=models.Q(total=models.F("fee") + models.F("vat")), name="charge_total_is_fee_plus_vat"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="regular", adjusts__isnull=True, fee__gte=0, vat__gte=0)
                | (models.Q(kind="adjustment", adjusts__isnull=False) & ~models.Q(reason="")),
                name="charge_regular_or_reasoned_adjustment",
            ),
            models.CheckConstraint(
                condition=models.Q(status="due", paid_on__isnull=True)
                | (
                    models.Q(status="paid", paid_on__isnull=False, locked_at__isnull=False)
                    & ~models.Q(invoice_number="")
                ),
                name="charge_paid_has_invoice_date_and_lock",
            ),
        ]
        indexes = [models.Index(fields=["month", "line"], name="charge_month_line_idx")]

    def __str__(self) -> str:
        return f"{self.line.site} · {self.month:%Y-%m} · {self.total}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "เดือนต้องเก็บเป็นวันที่ 1 ของเดือน เช่น 2018-04-01"})

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Export(models.Model):
    """A large report rendered by the ``billing.export_render`` task; the page polls it and downloads the file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("รอคิว")
        RUNNING = "running", _("กำลังสร้าง")
        DONE = "done", _("เสร็จแล้ว")
        FAILED = "failed", _("ไม่สำเร็จ")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_exports", verbose_name=_("ผู้ขอ")
    )
    exporter = models.CharField(_("รายงาน"), max_length=40)
    file_format = models.CharField(_("รูปแบบ"), max_length=4)
    parameters = models.JSONField(_("เงื่อนไข"), default=dict)
    scope = models.JSONField(_("ขอบเขตข้อมูล"), default=dict)
    status = models.CharField(_("สถานะ"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("ความคืบหน้า (%)"), default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(_("ไฟล์"), upload_to="billing/exports/%Y/%m/", blank=True)
    filename = models.CharField(_("ชื่อไฟล์"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.CharField(_("ข้อผิดพลาด"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)
    started_at = models.DateTimeField(_("เริ่มเมื่อ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("งานส่งออกรายงาน")
        verbose_name_plural = _("งานส่งออกรายงาน")
        indexes = [models.Index(fields=["status", "created_at"], name="export_status_created_idx")]

    def __str__(self) -> str:
        return f"{self.exporter}.{self.file_format} ({self.get_status_display()})"


class ExportLog(models.Model):
    """Who exported which report, with which parameters, when, and how many rows (PDPA: log access to exports)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="billing_export_logs",
        verbose_name=_("ผู้ส่งออก"),
    )
    exporter = models.CharField(_("รายงาน"), max_length=40)
    file_format = models.CharField(_("รูปแบบ"), max_length=4)
    parameters = models.JSONField(_("เงื่อนไข"), default=dict)
    scope = models.CharField(_("ขอบเขตข้อมูล"), max_length=200)
    row_count = models.PositiveIntegerField(_("จำนวนแถว"))
    created_at = models.DateTimeField(_("เมื่อ"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("บันทึกการส่งออกรายงาน")
        verbose_name_plural = _("บันทึกการส่งออกรายงาน")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.exporter}.{self.file_format}"
