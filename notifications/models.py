"""The outbox: one row per message to one recipient over one channel (pretix's pattern).

`dedupe_key` is unique, so writing the same notification twice is harmless:
- a change notice (invitation, update, cancellation) is unique per meeting, meeting version (`sequence`),
  channel and address: one notice per recipient for each version of the meeting;
- a reminder is unique per meeting, offset, the start it is about, channel and address: a meeting moved after
  a reminder was sent gets a new reminder for its new start, and a pending reminder for the old start is
  superseded instead of sent.

The life of a row: pending -> sending (a worker claimed it, until `lease_until`) -> sent | failed, or back to
pending with `next_attempt_at` after a temporary error; superseded when a newer notice makes it pointless.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from districts.models import Agency, Site, Staff


class Notification(models.Model):
    class Kind(models.TextChoices):
        INVITATION = "invitation", _("เชิญประชุม")
        UPDATE = "update", _("แจ้งเปลี่ยนแปลง")
        CANCELLATION = "cancellation", _("แจ้งยกเลิก")
        REMINDER = "reminder", _("เตือนก่อนประชุม")

    class Channel(models.TextChoices):
        EMAIL = "email", _("อีเมล")
        LINE = "line", "LINE"

    class Audience(models.TextChoices):
        CLERK = "clerk", _("เจ้าหน้าที่ประจำสถานที่")
        HOST = "host", _("ผู้จัดการประชุม")
        AGENCY = "agency", _("ส่วนราชการ")
        SITE_GROUP = "site_group", _("กลุ่ม LINE ของสถานที่")

    class State(models.TextChoices):
        PENDING = "pending", _("รอส่ง")
        SENDING = "sending", _("กำลังส่ง")
        SENT = "sent", _("ส่งแล้ว")
        FAILED = "failed", _("ส่งไม่สำเร็จ")
        SUPERSEDED = "superseded", _("ไม่ต้องส่งแล้ว")

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("การประชุม")
    )
    kind = models.CharField(_("ประเภท"), max_length=12, choices=Kind.choices)
    reminder_minutes = models.PositiveIntegerField(
        _("เตือนก่อน (นาที)"), null=True, blank=True, help_text=_("เฉพาะการเตือนก่อนประชุม")
    )
    channel = models.CharField(_("ช่องทาง"), max_length=8, choices=Channel.choices)
    audience = models.CharField(_("ผู้รับในฐานะ"), max_length=12, choices=Audience.choices)
    address = models.CharField(_("ที่อยู่ผู้รับ"), max_length=254, help_text=_("อีเมล หรือรหัสกลุ่ม LINE"))
    recipient_name = models.CharField(_("ชื่อผู้รับ"), max_length=200, blank=True)
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("สถานที่")
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("บุคลากร")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ส่วนราชการ")
    )
    language = models.CharField(_("ภาษา"), max_length=2, default="th")
    sequence = models.PositiveIntegerField(_("ฉบับแก้ไขที่"), help_text=_("SEQUENCE ของการประชุมเมื่อเขียนแถวนี้"))
    meeting_start = models.DateTimeField(_("เวลาเริ่มที่แจ้ง"))
    dedupe_key = models.CharField(max_length=400, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=200)

    state = models.CharField(_("สถานะ"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("จำนวนครั้งที่ลองส่ง"), default=0)
    last_error = models.CharField(_("ข้อผิดพลาดล่าสุด"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(
        _("ตรวจซ้ำเมื่อ"), null=True, blank=True, help_text=_("หลังเวลานี้ งานกวาดตกค้างจะส่งแถวที่ยังรอส่งอีกครั้ง")
    )
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True)
    provider_reference = models.CharField(_("เลขอ้างอิงผู้ให้บริการ"), max_length=200, blank=True)

    resend_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends", verbose_name=_("ส่งซ้ำจาก")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "meetings_notification"  # its table since it was the meetings app's
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = _("การแจ้งเตือน")
        verbose_name_plural = _("การแจ้งเตือน")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="reminder", reminder_minutes__isnull=False))
                | (~models.Q(kind="reminder") & models.Q(reminder_minutes__isnull=True)),
                name="notification_reminder_has_offset",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="sending") | models.Q(lease_until__isnull=False),
                name="notification_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_state_due_idx"),
            models.Index(fields=["meeting", "channel", "address"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.address} · {self.get_state_display()}"

    @property
    def line_retry_key(self) -> str:
        """X-Line-Retry-Key: a UUID stable per row, so LINE accepts a retried push once only."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"prachum:{self.dedupe_key}"))

    @property
    def is_done(self) -> bool:
        return self.state in {self.State.SENT, self.State.FAILED, self.State.SUPERSEDED}


def message_id_for(dedupe_key: str, host: str) -> str:
    """A Message-ID stable per notification: every copy of a re-sent message carries the same one."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<prachum.{digest}@{host}>"
