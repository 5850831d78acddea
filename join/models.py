"""Join passes, calendar feeds, test calls and attendance: the rows behind a site's way into a meeting.

A JoinPass is a capability link: whoever holds its token may enter the meeting as that site during the meeting's
window. The token is stored as it is (the clerk's page, the join sheet, the QR code and the calendar show the
same link every time, so it must be readable again); it is no more secret than the room's own pin and secret,
which live in the same database. The room's secret never leaves the server; its pin and number reach a browser
only through a valid pass.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A site may enter its meeting this long before the start (time to set the room up) and until the end.
JOIN_OPENS_BEFORE = timedelta(minutes=30)
# A site whose first connection comes later than this after the start is "late" in the attendance report.
LATE_AFTER = timedelta(minutes=10)
# The media server is asked who is in a meeting's room from the pass window's opening until this after its end.
ATTENDANCE_GRACE = timedelta(minutes=15)
# A site is shown as "tested" before a meeting when a test call succeeded within this time before its start.
TEST_CALL_COUNTS_FOR = timedelta(hours=24)


def new_media_token() -> str:
    """A token for the media server (Janus token_auth): random, URL-safe."""
    return secrets.token_urlsafe(32)


SHORT_CODE_DIGITS = 12


def new_short_code() -> str:
    """12 random digits (a pass's short form): no leading-zero trouble, read in groups of four."""
    return f"{secrets.randbelow(10**SHORT_CODE_DIGITS):0{SHORT_CODE_DIGITS}d}"


class JoinPass(models.Model):
    """One site's (or one invited agency's) way into one meeting. The host site's pass makes its holder the
    moderator; an agency's pass never does. Exactly one of `site` and `agency` is set: the pass's holder."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="join_passes", verbose_name=_("การประชุม")
    )
    site = models.ForeignKey(
        "districts.Site", on_delete=models.PROTECT, related_name="join_passes", verbose_name=_("สถานที่"),
        null=True, blank=True,
    )
    # An agency (ส่วนราชการ) invited to the meeting joins from its own office with a pass of its own.
    agency = models.ForeignKey(
        "districts.Agency", on_delete=models.PROTECT, related_name="join_passes", verbose_name=_("ส่วนราชการ"),
        null=True, blank=True,
    )
    token = models.CharField(_("รหัสลิงก์"), max_length=64, unique=True, editable=False)
    # What the site's browser shows the media server (Janus token_auth): added on the server holding the room
    # while the pass may be used, removed when it may not. Never in a link, a page's URL or a log.
    media_token = models.CharField(max_length=64, unique=True, editable=False, default=new_media_token)
    # The link's short form a person types from the printed sheet or reads over the phone: 12 random digits, at
    # /k/<digits>/ (rate-limited), from the day before the meeting until its end.
    short_code = models.CharField(_("รหัสเข้าร่วม 12 หลัก"), max_length=12, unique=True, editable=False,
                                  default=new_short_code)
    created_at = models.DateTimeField(_("ออกเมื่อ"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("ยกเลิกเมื่อ"), null=True, blank=True)
    revoked_reason = models.CharField(_("เหตุที่ยกเลิก"), max_length=200, blank=True)

    class Meta:
        db_table = "meetings_joinpass"  # its table since it was the meetings app's (join/migrations/0001)
        ordering = ["meeting", "site"]
        verbose_name = _("ลิงก์เข้าร่วมประชุม")
        verbose_name_plural = _("ลิงก์เข้าร่วมประชุม")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "site"], condition=models.Q(revoked_at__isnull=True), name="joinpass_one_per_site"
            ),
            models.UniqueConstraint(
                fields=["meeting", "agency"],
                condition=models.Q(revoked_at__isnull=True, agency__isnull=False),
                name="joinpass_one_per_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(site__isnull=False, agency__isnull=True)
                | models.Q(site__isnull=True, agency__isnull=False),
                name="joinpass_site_or_agency",
            ),
            models.CheckConstraint(
                condition=~models.Q(token=""),  # nosec B106  # not a password: an empty token is refused
                name="joinpass_token_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.meeting}"

    @property
    def holder(self):
        """The site or the agency that holds this pass."""
        return self.site if self.site_id is not None else self.agency

    @property
    def holder_name(self) -> str:
        holder = self.holder
        return holder.name if holder is not None else ""

    @property
    def is_agency(self) -> bool:
        return self.agency_id is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_moderator(self) -> bool:
        """The host site's pass moderates (read from the meeting, so a change of host follows at once); an agency's
        pass never does."""
        return self.site_id is not None and self.agency_id is None and self.site_id == self.meeting.host_site_id

    @property
    def opens_at(self) -> datetime:
        return self.meeting.start - JOIN_OPENS_BEFORE

    @property
    def closes_at(self) -> datetime:
        return self.meeting.end


class CalendarFeed(models.Model):
    """A site's subscribable calendar: a secret URL a clerk adds to a calendar application once."""

    site = models.ForeignKey(
        "districts.Site", on_delete=models.CASCADE, related_name="calendar_feeds", verbose_name=_("สถานที่")
    )
    token = models.CharField(_("รหัสลิงก์"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("ออกเมื่อ"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("ยกเลิกเมื่อ"), null=True, blank=True)

    class Meta:
        db_table = "meetings_calendarfeed"  # its table since it was the meetings app's (join/migrations/0001)
        verbose_name = _("ลิงก์ปฏิทินของสถานที่")
        verbose_name_plural = _("ลิงก์ปฏิทินของสถานที่")
        constraints = [
            models.UniqueConstraint(
                fields=["site"], condition=models.Q(revoked_at__isnull=True), name="calendarfeed_one_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} ({self.created_at:%Y-%m-%d})"


class TestCall(models.Model):
    """A site checking its camera, microphone and network in a room of its own, and what came of it."""

    __test__ = False  # not a pytest test class

    class Result(models.TextChoices):
        PENDING = "pending", _("ยังไม่ทราบผล")
        OK = "ok", _("เห็นภาพและได้ยินเสียง")
        MEDIA_OK = "media_ok", _("เบราว์เซอร์รับภาพและเสียงกลับได้")
        PROBLEM = "problem", _("มีปัญหา")

    site = models.ForeignKey(
        "districts.Site", on_delete=models.CASCADE, related_name="test_calls", verbose_name=_("สถานที่")
    )
    token = models.CharField(_("รหัสลิงก์"), max_length=64, unique=True, editable=False)
    media_token = models.CharField(max_length=64, unique=True, editable=False, default=new_media_token)
    server = models.ForeignKey(
        "meetings.MediaServer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("เซิร์ฟเวอร์"),
    )
    room_number = models.PositiveBigIntegerField(_("หมายเลขห้องทดสอบ"), null=True, blank=True)
    pin = models.CharField(_("PIN"), max_length=20, blank=True)
    secret = models.CharField(_("รหัสลับของห้อง"), max_length=64, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ผู้ทดสอบ"),
    )
    join_pass = models.ForeignKey(
        JoinPass, on_delete=models.SET_NULL, null=True, blank=True, related_name="test_calls",
        verbose_name=_("ผ่านลิงก์เข้าร่วมประชุม"),
    )
    started_at = models.DateTimeField(_("เริ่มทดสอบ"), auto_now_add=True)
    result = models.CharField(_("ผล"), max_length=10, choices=Result.choices, default=Result.PENDING)
    saw_video = models.BooleanField(_("เห็นภาพตนเอง"), null=True, blank=True)
    heard_audio = models.BooleanField(_("ได้ยินเสียงตนเอง"), null=True, blank=True)
    media_flowing = models.BooleanField(_("เบราว์เซอร์รับภาพกลับจากเซิร์ฟเวอร์"), null=True, blank=True)
    finished_at = models.DateTimeField(_("บันทึกผลเมื่อ"), null=True, blank=True)
    note = models.CharField(_("หมายเหตุ"), max_length=300, blank=True)
    room_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "meetings_testcall"  # its table since it was the meetings app's (join/migrations/0001)
        ordering = ["-started_at", "-pk"]
        verbose_name = _("การทดสอบระบบ")
        verbose_name_plural = _("การทดสอบระบบ")
        indexes = [models.Index(fields=["site", "-finished_at"], name="testcall_site_finished_idx")]

    def __str__(self) -> str:
        return f"{self.site} · {self.get_result_display()}"

    @property
    def succeeded(self) -> bool:
        return self.result in {self.Result.OK, self.Result.MEDIA_OK}


class Attendance(models.Model):
    """One connection of a site, of an invited agency (or of someone else) to a meeting's room, as the media
    server reported it.

    A site that drops and comes back has several rows; the open row (no `left_at`) is the current connection.
    """

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="attendances", verbose_name=_("การประชุม")
    )
    site = models.ForeignKey(
        "districts.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="attendances",
        verbose_name=_("สถานที่"), help_text=_("ว่างเมื่อผู้เข้าร่วมไม่ใช่สถานที่ที่ได้รับเชิญ"),
    )
    agency = models.ForeignKey(
        "districts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="attendances",
        verbose_name=_("ส่วนราชการ"), help_text=_("ส่วนราชการที่ได้รับเชิญ ซึ่งเข้าห้องด้วยลิงก์ของตนเอง"),
    )
    display = models.CharField(_("ชื่อที่แสดงในห้อง"), max_length=200)
    joined_at = models.DateTimeField(_("เชื่อมต่อเมื่อ"))
    last_seen_at = models.DateTimeField(_("พบล่าสุด"))
    left_at = models.DateTimeField(_("ออกเมื่อ"), null=True, blank=True)

    class Meta:
        db_table = "meetings_attendance"  # its table since it was the meetings app's (join/migrations/0001)
        ordering = ["meeting", "joined_at", "pk"]
        verbose_name = _("การเข้าร่วมประชุม")
        verbose_name_plural = _("การเข้าร่วมประชุม")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "site"],
                condition=models.Q(left_at__isnull=True, site__isnull=False),
                name="attendance_one_open_per_site",
            ),
            models.UniqueConstraint(
                fields=["meeting", "agency"],
                condition=models.Q(left_at__isnull=True, agency__isnull=False),
                name="attendance_one_open_per_agency",
            ),
            models.UniqueConstraint(
                fields=["meeting", "display"],
                condition=models.Q(left_at__isnull=True, site__isnull=True, agency__isnull=True),
                name="attendance_one_open_per_guest",
            ),
            models.CheckConstraint(
                condition=models.Q(site__isnull=True) | models.Q(agency__isnull=True),
                name="attendance_site_or_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True) | models.Q(left_at__gte=models.F("joined_at")),
                name="attendance_leaves_after_joining",
            ),
        ]
        indexes = [models.Index(fields=["meeting", "left_at"], name="attendance_meeting_open_idx")]

    def __str__(self) -> str:
        return f"{self.display} · {self.meeting}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None


class AttendancePoll(models.Model):
    """When the periodic task last asked the media server who is in a meeting's room, and what went wrong if it
    could not. The control centre reads it beside the Attendance rows: its pages never ask the server."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, primary_key=True, related_name="attendance_poll",
        verbose_name=_("การประชุม"),
    )
    polled_at = models.DateTimeField(_("ถามเซิร์ฟเวอร์ล่าสุด"))
    error = models.CharField(_("ข้อผิดพลาดล่าสุด"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("การตรวจผู้เข้าร่วมจากเซิร์ฟเวอร์")
        verbose_name_plural = _("การตรวจผู้เข้าร่วมจากเซิร์ฟเวอร์")

    def __str__(self) -> str:
        return f"{self.meeting} · {self.polled_at:%H:%M:%S}"
