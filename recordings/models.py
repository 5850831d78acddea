"""A meeting's recording: the row is the truth (DESIGN.md, "Side effects").

`MeetingRecording` — one per meeting (recorded unless the scheduler turns it off): its state goes
idle → recording (the room's recording switched on at Janus) → processing (a task makes playable files) →
ready, or failed after its retries; deleted when its retention ends (the row stays and says when and by which rule).
`RecordingFile` — a playable file: one per site's stream and one mixed file of the whole meeting.
`ErasureRequest` — a person's PDPA request about a recording, recorded and answered (the official record stays).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingRecording(models.Model):
    class State(models.TextChoices):
        IDLE = "idle", _("ยังไม่ได้บันทึก")
        RECORDING = "recording", _("กำลังบันทึก")
        PROCESSING = "processing", _("กำลังจัดทำไฟล์")
        READY = "ready", _("พร้อมดาวน์โหลด")
        FAILED = "failed", _("จัดทำไฟล์ไม่สำเร็จ")
        DELETED = "deleted", _("ลบไฟล์แล้ว (ครบกำหนดเก็บ)")

    class Kind(models.TextChoices):
        """The kind of meeting, which sets how long its recording is kept (RECORDINGS_RETENTION_DAYS)."""

        REGULAR = "regular", _("การประชุมประจำ (ชุดการประชุม)")
        SPECIAL = "special", _("การประชุมเฉพาะกิจ")

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="recording",
                                   verbose_name=_("การประชุม"))
    enabled = models.BooleanField(_("บันทึกการประชุมนี้"), default=True,
                                  help_text=_("ปิดได้สำหรับการประชุมลับ ซึ่งไม่บันทึกตามมาตรฐานการประชุมผ่านสื่ออิเล็กทรอนิกส์"))
    kind = models.CharField(_("ประเภทการประชุม"), max_length=10, choices=Kind.choices, default=Kind.SPECIAL)
    state = models.CharField(_("สถานะ"), max_length=12, choices=State.choices, default=State.IDLE)
    # Where Janus writes the raw files: a directory name under RECORDINGS_RAW_ROOT, one per meeting.
    rec_dir = models.CharField(_("โฟลเดอร์ไฟล์ดิบ"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("เริ่มบันทึกครั้งแรก"), null=True, blank=True)
    running_since = models.DateTimeField(_("กำลังบันทึกตั้งแต่"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("หยุดบันทึกล่าสุด"), null=True, blank=True)
    recorded_seconds = models.PositiveIntegerField(_("เวลาที่บันทึก (วินาที)"), default=0)
    # Janus participant id -> the name it showed in the room ("<site code> · <site name>"), read from the room while
    # it records: which site each raw stream is.
    participants = models.JSONField(_("ผู้เข้าร่วมขณะบันทึก"), default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("ผู้เริ่มบันทึก"))
    # Processing: attempts counted, a lease while a worker holds the row, the next try after a back-off.
    attempts = models.PositiveIntegerField(_("จำนวนครั้งที่จัดทำไฟล์"), default=0)
    lease_until = models.DateTimeField(_("งานปัจจุบันถือไว้ถึง"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("ลองใหม่เมื่อ"), null=True, blank=True)
    last_error = models.CharField(_("ข้อผิดพลาดล่าสุด"), max_length=500, blank=True)
    processed_at = models.DateTimeField(_("จัดทำไฟล์เสร็จ"), null=True, blank=True)
    processing_seconds = models.FloatField(_("ใช้เวลาจัดทำไฟล์ (วินาที)"), null=True, blank=True)
    # Retention: when the files may be deleted, and the deletion itself (by which rule).
    expires_at = models.DateTimeField(_("เก็บไว้ถึง"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("ลบไฟล์เมื่อ"), null=True, blank=True)
    deleted_by_rule = models.CharField(_("ลบตามหลักเกณฑ์"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("การบันทึกการประชุม")
        verbose_name_plural = _("การบันทึกการประชุม")
        indexes = [
            models.Index(fields=["state", "lease_until"], name="recording_state_lease_idx"),
            models.Index(fields=["state", "expires_at"], name="recording_state_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="deleted") | models.Q(deleted_at__isnull=False),
                name="recording_deleted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_state_display()}"


class RecordingFile(models.Model):
    class Kind(models.TextChoices):
        SITE = "site", _("ภาพและเสียงของสถานที่")
        MIXED = "mixed", _("ภาพรวมทั้งการประชุม (ทุกสถานที่)")

    recording = models.ForeignKey(MeetingRecording, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("ชนิด"), max_length=10, choices=Kind.choices)
    site = models.ForeignKey("districts.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("สถานที่"))
    label = models.CharField(_("ชื่อ"), max_length=200)
    # Relative to RECORDINGS_ROOT (outside the web root): "<meeting id>/<name>".
    path = models.CharField(_("ไฟล์"), max_length=300)
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"))
    duration_seconds = models.FloatField(_("ความยาว (วินาที)"))
    offset_seconds = models.FloatField(_("เริ่มหลังต้นการบันทึก (วินาที)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["recording", "-kind", "label"]
        verbose_name = _("ไฟล์บันทึกการประชุม")
        verbose_name_plural = _("ไฟล์บันทึกการประชุม")
        constraints = [
            models.UniqueConstraint(fields=["recording", "path"], name="recording_file_unique_path"),
            models.UniqueConstraint(fields=["recording"], condition=models.Q(kind="mixed"),
                                    name="recording_one_mixed_file"),
        ]

    def __str__(self) -> str:
        return self.label


class ErasureRequest(models.Model):
    """A person asks that a recording of them be erased (PDPA B.E. 2562, section 33). The recording is an official
    record kept under the Emergency Decree on Electronic Meetings B.E. 2563 (section 12) and the province's
    retention rule, which is a ground to refuse (section 33 para. 1 (5), a public task): the request is recorded
    and answered with when the record will be deleted."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="erasure_requests",
                                verbose_name=_("การประชุม"))
    requester_name = models.CharField(_("ชื่อผู้ขอ"), max_length=200)
    requester_contact = models.CharField(_("ช่องทางติดต่อผู้ขอ"), max_length=200)
    details = models.TextField(_("รายละเอียดคำขอ"), max_length=2000, blank=True)
    received_at = models.DateTimeField(_("รับคำขอเมื่อ"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("ผู้บันทึกคำขอ"))
    answer = models.TextField(_("คำตอบ"), blank=True)
    retained_until = models.DateTimeField(_("เก็บบันทึกไว้ถึง"), null=True, blank=True)
    answered_at = models.DateTimeField(_("ตอบเมื่อ"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("คำขอลบข้อมูลจากบันทึกการประชุม")
        verbose_name_plural = _("คำขอลบข้อมูลจากบันทึกการประชุม")

    def __str__(self) -> str:
        return f"{self.requester_name} · {self.meeting}"
