"""Places and people: provinces, districts, the sites that take part in meetings, staff and agencies."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_EQUIPMENT_CHECKLIST = [
    "โน้ตบุ๊กพร้อมสายชาร์จ",
    "โปรเจกเตอร์และสาย HDMI",
    "ไมโครโฟน",
    "ลำโพง",
    "สายแลน (เชื่อมต่อเครือข่ายไฟเบอร์)",
    "กล้องเว็บแคม",
]


def default_equipment_checklist() -> list[str]:
    return list(DEFAULT_EQUIPMENT_CHECKLIST)


class Province(models.Model):
    code = models.CharField(
        _("รหัสจังหวัด"), max_length=2, unique=True, validators=[RegexValidator(r"^\d{2}$")]
    )
    name_th = models.CharField(_("ชื่อ (ไทย)"), max_length=100)
    name_en = models.CharField(_("ชื่อ (อังกฤษ)"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("จังหวัด")
        verbose_name_plural = _("จังหวัด")

    def __str__(self) -> str:
        return self.name_th


class District(models.Model):
    """An amphoe (or a Bangkok khet), keyed by its official DOPA code."""

    code = models.CharField(
        _("รหัสอำเภอ"), max_length=4, unique=True, validators=[RegexValidator(r"^\d{4}$")]
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("จังหวัด")
    )
    name_th = models.CharField(_("ชื่อ (ไทย)"), max_length=100)
    name_en = models.CharField(_("ชื่อ (อังกฤษ)"), max_length=100)
    road_distance_km = models.DecimalField(
        _("ระยะทางถนนถึงศาลากลางจังหวัด (กม.)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("ระยะทางตามเส้นทางหลวงที่สั้นที่สุด ใช้คำนวณค่าเดินทางที่ประหยัดได้ แก้ไขได้"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("อำเภอ")
        verbose_name_plural = _("อำเภอ")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(road_distance_km__gte=0) | models.Q(road_distance_km__isnull=True),
                name="district_road_distance_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name_th


class Site(models.Model):
    """A place that takes part in meetings: the provincial hall or a district office."""

    class Kind(models.TextChoices):
        PROVINCIAL_HALL = "hall", _("ศาลากลางจังหวัด")
        DISTRICT_OFFICE = "district", _("ที่ทำการปกครองอำเภอ")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="sites", verbose_name=_("จังหวัด")
    )
    district = models.OneToOneField(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="site",
        verbose_name=_("อำเภอ"),
    )
    kind = models.CharField(_("ประเภท"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("ชื่อสถานที่"), max_length=200)
    meeting_room = models.CharField(_("ห้องประชุม"), max_length=200, blank=True)
    contact_phone = models.CharField(_("โทรศัพท์ติดต่อ"), max_length=40, blank=True)
    equipment_checklist = models.JSONField(
        _("รายการตรวจอุปกรณ์ห้องประชุม"),
        default=default_equipment_checklist,
        blank=True,
        help_text=_("สิ่งที่ต้องเตรียมก่อนประชุมทุกครั้ง หนึ่งรายการต่อบรรทัด"),
    )
    notify_by_email = models.BooleanField(_("แจ้งเตือนทางอีเมล"), default=True)
    notify_by_line = models.BooleanField(_("แจ้งเตือนทาง LINE"), default=False)
    line_group_id = models.CharField(
        _("LINE group ID"),
        max_length=64,
        blank=True,
        help_text=_("รหัสกลุ่ม LINE ของอำเภอที่บัญชีทางการของจังหวัดเป็นสมาชิก (ขึ้นต้นด้วย C)"),
    )
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        ordering = ["province__code", "kind", "district__code"]
        verbose_name = _("สถานที่ประชุม")
        verbose_name_plural = _("สถานที่ประชุม")
        constraints = [
            models.UniqueConstraint(
                fields=["province"],
                condition=models.Q(kind="hall"),
                name="site_one_provincial_hall_per_province",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="hall", district__isnull=True))
                | (models.Q(kind="district", district__isnull=False)),
                name="site_district_office_has_district",
            ),
            models.CheckConstraint(
                condition=models.Q(notify_by_line=False) | ~models.Q(line_group_id=""),
                name="site_line_needs_group_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """The site's code in URLs: the district code, or the province code for the hall."""
        return self.district.code if self.district_id else self.province.code

    @property
    def is_provincial_hall(self) -> bool:
        return self.kind == self.Kind.PROVINCIAL_HALL


class Staff(models.Model):
    """A user's role and site. A person without a Staff row has no role and sees nothing."""

    class Role(models.TextChoices):
        SCHEDULER = "scheduler", _("เจ้าหน้าที่จัดการประชุมระดับจังหวัด")
        CLERK = "clerk", _("เจ้าหน้าที่ประจำอำเภอ")
        FINANCE = "finance", _("เจ้าหน้าที่การเงิน")
        ADMINISTRATOR = "admin", _("ผู้ดูแลระบบ")

    class Language(models.TextChoices):
        THAI = "th", "ไทย"
        ENGLISH = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff", verbose_name=_("ผู้ใช้")
    )
    role = models.CharField(_("บทบาท"), max_length=10, choices=Role.choices)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="staff", verbose_name=_("สถานที่สังกัด")
    )
    phone = models.CharField(_("โทรศัพท์"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("ภาษาที่ต้องการ"), max_length=2, choices=Language.choices, default=Language.THAI
    )

    class Meta:
        ordering = ["site", "user__username"]
        verbose_name = _("บุคลากร")
        verbose_name_plural = _("บุคลากร")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.role == self.Role.SCHEDULER and self.site_id and not self.site.is_provincial_hall:
            raise ValidationError({"site": _("เจ้าหน้าที่จัดการประชุมต้องสังกัดศาลากลางจังหวัด")})

    @property
    def is_province_wide(self) -> bool:
        """Schedulers, administrators and finance at the provincial hall see every site of the province."""
        if self.role == self.Role.CLERK:
            return False
        return self.site.kind == Site.Kind.PROVINCIAL_HALL


class Agency(models.Model):
    """A government office (ส่วนราชการ) that can be invited to meetings."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("จังหวัด")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("อำเภอ (ถ้าเป็นหน่วยงานระดับอำเภอ)"),
    )
    name = models.CharField(_("ชื่อหน่วยงาน"), max_length=200)
    contact_name = models.CharField(_("ผู้ติดต่อ"), max_length=200, blank=True)
    email = models.EmailField(_("อีเมลติดต่อ"))
    phone = models.CharField(_("โทรศัพท์"), max_length=40, blank=True)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        ordering = ["province__code", "name"]
        verbose_name = _("ส่วนราชการ")
        verbose_name_plural = _("ส่วนราชการ")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="agency_unique_name_per_province")
        ]

    def __str__(self) -> str:
        return self.name
