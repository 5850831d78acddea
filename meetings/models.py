"""Meetings, their series, the sites and agencies taking part, their documents, and their rooms on media servers.

Secrets never live in these rows' `__str__`, admin lists or API output: a MediaServer names the environment
variables that hold its secrets, and a Room's pin and secret are shown only to those who need them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from districts.models import Agency, Site
from foundation.constraints import PostgresExclusionConstraint, TsTzRange

# The usual agenda of a Thai government meeting (ระเบียบงานสารบรรณ พ.ศ. 2526), in its order.
DEFAULT_AGENDA = [
    "ประธานแจ้งให้ที่ประชุมทราบ",
    "รับรองรายงานการประชุมครั้งที่แล้ว",
    "เรื่องสืบเนื่อง",
    "เรื่องเสนอเพื่อพิจารณา",
    "เรื่องอื่น ๆ",
]


def default_agenda() -> list[str]:
    return list(DEFAULT_AGENDA)


class MediaServer(models.Model):
    """A Janus or Jitsi server that prachum creates rooms on. Its secrets come from the environment."""

    class Kind(models.TextChoices):
        JANUS = "janus", "Janus VideoRoom"
        JITSI = "jitsi", "Jitsi Meet"
        FAKE = "fake", _("จำลอง (ทดสอบ/ทดลองใช้เท่านั้น)")

    class State(models.TextChoices):
        ACTIVE = "active", _("ใช้งาน")
        DRAINING = "draining", _("งดรับการประชุมใหม่")
        DOWN = "down", _("ปิดใช้งาน")

    kind = models.CharField(_("ชนิด"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("ชื่อ"), max_length=100, unique=True)
    # A server a province runs for itself, which its administrator manages; none: a shared national server, which
    # only the installation's operators change (its address and secrets serve every province).
    province = models.ForeignKey(
        "districts.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="media_servers",
        verbose_name=_("จังหวัดเจ้าของ"), help_text=_("ว่าง: เซิร์ฟเวอร์กลางระดับประเทศ (ผู้ดูแลการติดตั้งเท่านั้นที่แก้ไขได้)"),
    )
    url = models.URLField(
        _("URL สำหรับพอร์ทัล"),
        max_length=300,
        help_text=_("Janus: URL ของ REST API เช่น http://127.0.0.1:8088/janus — Jitsi: https://<โดเมน>"),
    )
    admin_url = models.URLField(
        _("URL ของ Admin API"), max_length=300, blank=True, help_text=_("Janus เท่านั้น เช่น http://127.0.0.1:7088/admin")
    )
    public_url = models.URLField(
        _("URL สำหรับเบราว์เซอร์"), max_length=300, blank=True, help_text=_("ว่างไว้ถ้าเหมือน URL สำหรับพอร์ทัล")
    )
    options = models.JSONField(
        _("ค่าตั้งอื่นที่ไม่ใช่ความลับ"),
        default=dict,
        blank=True,
        help_text=_("Jitsi: app_id, audience, muc_size_url ฯลฯ ห้ามใส่รหัสลับที่นี่"),
    )
    secret_env = models.CharField(
        _("ชื่อชุดตัวแปรสภาพแวดล้อมของรหัสลับ"),
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9_]*$", _("ใช้ตัวพิมพ์ใหญ่ ตัวเลข และ _ เช่น JANUS_MAIN"))],
        help_text=_(
            "เช่น JANUS_MAIN → อ่าน JANUS_MAIN_ADMIN_SECRET และ JANUS_MAIN_ADMIN_KEY (Janus) "
            "หรือ JITSI_MAIN_APP_SECRET (Jitsi) จากตัวแปรสภาพแวดล้อม"
        ),
    )
    capacity_sites = models.PositiveIntegerField(
        _("รองรับผู้เข้าร่วมพร้อมกัน"),
        default=100,
        validators=[MinValueValidator(1)],
        help_text=_("จำนวนสถานที่และส่วนราชการรวมกันของทุกการประชุมที่เวลาซ้อนกัน"),
    )
    state = models.CharField(_("สถานะ"), max_length=10, choices=State.choices, default=State.ACTIVE)
    last_checked_at = models.DateTimeField(_("ตรวจสุขภาพล่าสุด"), null=True, blank=True)
    last_check_ok = models.BooleanField(_("ผลตรวจล่าสุดปกติ"), null=True, blank=True)
    last_check_detail = models.CharField(_("รายละเอียดผลตรวจ"), max_length=300, blank=True)
    # Failed checks in a row: the server counts as failing (its rooms move) only after
    # MEETINGS_SERVER_DOWN_AFTER_CHECKS of them, so one blip moves nothing.
    failed_checks = models.PositiveIntegerField(_("ตรวจไม่ผ่านติดต่อกัน (ครั้ง)"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("เซิร์ฟเวอร์สื่อ")
        verbose_name_plural = _("เซิร์ฟเวอร์สื่อ")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_usable(self) -> bool:
        """Takes new rooms: active and not known to be failing its health check."""
        return self.state == self.State.ACTIVE and self.last_check_ok is not False


class Series(models.Model):
    """A repeating meeting: daily or weekly, until a date or for a count of occurrences."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("ทุกวัน")
        WEEKLY = "weekly", _("ทุกสัปดาห์")

    title = models.CharField(_("ชื่อชุดการประชุม"), max_length=200)
    frequency = models.CharField(_("ความถี่"), max_length=10, choices=Frequency.choices)
    until = models.DateField(_("ถึงวันที่"), null=True, blank=True)
    count = models.PositiveIntegerField(_("จำนวนครั้ง"), null=True, blank=True, validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ชุดการประชุม")
        verbose_name_plural = _("ชุดการประชุม")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=False) | models.Q(count__isnull=False), name="series_has_an_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_frequency_display()})"


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("นัดหมายแล้ว")
        READY = "ready", _("ห้องประชุมพร้อม")
        LIVE = "live", _("กำลังประชุม")
        ENDED = "ended", _("เสร็จสิ้น")
        CANCELLED = "cancelled", _("ยกเลิก")

    title = models.CharField(_("เรื่อง"), max_length=200)
    agenda = models.JSONField(_("ระเบียบวาระ"), default=default_agenda, blank=True)
    host_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="hosted_meetings", verbose_name=_("สถานที่ประธาน")
    )
    start = models.DateTimeField(_("เริ่ม"))
    end = models.DateTimeField(_("สิ้นสุด"))
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, null=True, blank=True, related_name="meetings", verbose_name=_("ชุด")
    )
    occurrence = models.PositiveIntegerField(_("ครั้งที่ในชุด"), null=True, blank=True)
    status = models.CharField(_("สถานะ"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(
        _("เหตุที่ยกเลิก"), max_length=300, blank=True, help_text=_("แจ้งไปกับหนังสือแจ้งยกเลิกถึงผู้ได้รับเชิญทุกคน")
    )
    sequence = models.PositiveIntegerField(
        _("ลำดับการแก้ไข"), default=0, help_text=_("เพิ่มทุกครั้งที่แก้ไข (SEQUENCE ของไฟล์ปฏิทิน)")
    )
    sites = models.ManyToManyField(Site, through="Participation", related_name="meetings")
    agencies = models.ManyToManyField(Agency, through="AgencyInvitation", related_name="meetings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings_created",
        verbose_name=_("ผู้นัดหมาย"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("การประชุม")
        verbose_name_plural = _("การประชุม")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="meeting_ends_after_start"),
            models.UniqueConstraint(fields=["series", "occurrence"], name="meeting_unique_occurrence"),
        ]
        indexes = [models.Index(fields=["start"], name="meeting_start_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_open(self) -> bool:
        """Can still be changed: not cancelled nor ended."""
        return self.status not in {self.Status.CANCELLED, self.Status.ENDED}


class Participation(models.Model):
    """A site in a meeting. The meeting's times are copied here so PostgreSQL can refuse a double booking."""

    class Role(models.TextChoices):
        HOST = "host", _("ประธาน")
        PARTICIPANT = "participant", _("ผู้เข้าร่วม")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("บทบาท"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    start = models.DateTimeField()
    end = models.DateTimeField()
    active = models.BooleanField(default=True, help_text=_("ไม่นับเมื่อการประชุมถูกยกเลิก"))

    class Meta:
        ordering = ["meeting", "site__kind", "site__district__code"]
        verbose_name = _("สถานที่เข้าร่วม")
        verbose_name_plural = _("สถานที่เข้าร่วม")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "site"], name="participation_unique_site"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="participation_ends_after_start"
            ),
            PostgresExclusionConstraint(
                name="participation_site_not_double_booked",
                expressions=[
                    ("site", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=models.Q(active=True),
            ),
        ]
        indexes = [models.Index(fields=["site", "start"], name="participation_site_start_idx")]

    def __str__(self) -> str:
        return f"{self.site} · {self.meeting}"


class AgencyInvitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agency_invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="invitations")

    class Meta:
        verbose_name = _("ส่วนราชการที่เชิญ")
        verbose_name_plural = _("ส่วนราชการที่เชิญ")
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="agency_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.agency} · {self.meeting}"


class Document(models.Model):
    """A file presented in a meeting: a PDF, a PowerPoint, a picture or a video clip."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PPTX = "pptx", "PowerPoint"
        IMAGE = "image", _("รูปภาพ")
        VIDEO = "video", _("คลิปวิดีโอ")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("ไฟล์"), upload_to="meetings/documents/%Y/%m/")
    name = models.CharField(_("ชื่อไฟล์"), max_length=255)
    kind = models.CharField(_("ชนิด"), max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "uploaded_at", "pk"]
        verbose_name = _("เอกสารประกอบการประชุม")
        verbose_name_plural = _("เอกสารประกอบการประชุม")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A meeting's room on a media server: the row is the truth, the provisioning task makes the server agree.

    `desired_version` goes up on every change the server must learn; the room is in step when
    `provisioned_version == desired_version` and the state is provisioned (or destroyed once cancelled).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("รอสร้างห้อง")
        PROVISIONED = "provisioned", _("ห้องพร้อม")
        FAILED = "failed", _("สร้างห้องไม่สำเร็จ")
        DESTROY_PENDING = "destroy_pending", _("รอลบห้อง")
        DESTROYED = "destroyed", _("ลบห้องแล้ว")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="room")
    server = models.ForeignKey(
        MediaServer, on_delete=models.PROTECT, null=True, blank=True, related_name="rooms", verbose_name=_("เซิร์ฟเวอร์")
    )
    # The kind of media server the room was first placed on: the sites' pages expect it (the Janus page, or the
    # Jitsi room), so a room moved off a failing server goes only to a server of the same kind, unless the
    # operator allows another (MEETINGS_ROOM_KIND_FALLBACK).
    kind = models.CharField(_("ชนิดเซิร์ฟเวอร์"), max_length=10, choices=MediaServer.Kind.choices, blank=True)
    number = models.PositiveBigIntegerField(_("หมายเลขห้อง"), validators=[MinValueValidator(1)])
    name = models.CharField(
        _("ชื่อห้อง"), max_length=100, validators=[RegexValidator(r"^[a-z0-9-]+$", _("ตัวพิมพ์เล็ก ตัวเลข และ - เท่านั้น"))]
    )
    publishers = models.PositiveIntegerField(
        _("ผู้เข้าร่วมที่ส่งภาพได้พร้อมกัน"), default=2, help_text=_("สถานที่และส่วนราชการของการประชุม")
    )
    pin = models.CharField(_("PIN"), max_length=20)
    secret = models.CharField(_("รหัสลับของห้อง"), max_length=64)
    state = models.CharField(_("สถานะ"), max_length=20, choices=State.choices, default=State.PENDING)
    desired_version = models.PositiveIntegerField(default=1)
    provisioned_version = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(_("จำนวนครั้งที่ลอง"), default=0)
    last_error = models.CharField(_("ข้อผิดพลาดล่าสุด"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("ลองใหม่เมื่อ"), null=True, blank=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    reservation_start = models.CharField(
        _("เวลาเปิดห้อง (Jitsi)"), max_length=40, blank=True, help_text=_("start_time ที่ Prosody ส่งมา")
    )
    reservation_owner = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ห้องประชุมบนเซิร์ฟเวอร์")
        verbose_name_plural = _("ห้องประชุมบนเซิร์ฟเวอร์")
        constraints = [
            models.UniqueConstraint(fields=["server", "number"], name="room_unique_number_per_server"),
            models.UniqueConstraint(fields=["name"], name="room_unique_name"),
            models.CheckConstraint(condition=models.Q(number__gt=0), name="room_number_positive"),
            models.CheckConstraint(condition=models.Q(name=Lower("name")), name="room_name_lower_case"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="room_state_due_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"

    @property
    def in_step(self) -> bool:
        if self.state == self.State.DESTROYED:
            return True
        return self.state == self.State.PROVISIONED and self.provisioned_version == self.desired_version


class LeftoverRoom(models.Model):
    """A room a meeting left behind on a server it was moved off (the server was failing): its number and secret,
    kept until the server answers again and the room is destroyed there (the rooms sweep), so no copy of a
    meeting's room lingers on a server with its PIN. A row is the promise that it will be."""

    server = models.ForeignKey(MediaServer, on_delete=models.CASCADE, related_name="leftover_rooms")
    number = models.PositiveBigIntegerField()
    name = models.CharField(max_length=100)
    secret = models.CharField(max_length=64)
    left_at = models.DateTimeField(auto_now_add=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("ห้องที่ค้างบนเซิร์ฟเวอร์เดิม")
        verbose_name_plural = _("ห้องที่ค้างบนเซิร์ฟเวอร์เดิม")
        constraints = [models.UniqueConstraint(fields=["server", "number"], name="leftover_room_once_per_server")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.server_id}"
