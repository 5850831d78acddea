"""A meeting kept as evidence (MDES standard for electronic meetings B.E. 2563): the rows are the truth.

`FaultReport` — a site (or an invited agency) reports a problem from its join page (no sound, no picture, cannot
share the screen, something else with a note): the database server's time, the pass that reported it (so the site
or agency), the meeting; resolved by the province's schedulers at the control centre. At most one open report of a
kind per pass (a pass cannot flood the board).
`EvidencePack` — one request for a meeting's evidence pack: requested → building (a worker holds a lease) → ready
(the archive's path, size and SHA-256) or failed (after its attempts, with the error); swept when lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 300


class FaultReport(models.Model):
    class Kind(models.TextChoices):
        NO_AUDIO = "no_audio", _("ไม่มีเสียง")
        NO_VIDEO = "no_video", _("ไม่เห็นภาพ")
        NO_SHARE = "no_share", _("แชร์หน้าจอไม่ได้")
        OTHER = "other", _("อื่น ๆ")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="fault_reports",
                                verbose_name=_("การประชุม"))
    join_pass = models.ForeignKey("join.JoinPass", on_delete=models.CASCADE, related_name="fault_reports",
                                  verbose_name=_("ลิงก์เข้าร่วมประชุมที่แจ้ง"))
    kind = models.CharField(_("ปัญหา"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("รายละเอียด"), max_length=NOTE_MAX_LENGTH, blank=True)
    reported_at = models.DateTimeField(_("แจ้งเมื่อ (เวลาเซิร์ฟเวอร์)"), db_default=Now())
    resolved_at = models.DateTimeField(_("แก้ไขแล้วเมื่อ (เวลาเซิร์ฟเวอร์)"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("ผู้บันทึกว่าแก้ไขแล้ว"))
    resolved_by_label = models.CharField(_("ผู้บันทึกว่าแก้ไขแล้ว"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "reported_at", "pk"]
        verbose_name = _("การแจ้งปัญหา")
        verbose_name_plural = _("การแจ้งปัญหา")
        constraints = [
            models.UniqueConstraint(fields=["join_pass", "kind"], condition=models.Q(resolved_at__isnull=True),
                                    name="faultreport_one_open_per_kind"),
            models.CheckConstraint(condition=~models.Q(kind="other") | ~models.Q(note=""),
                                   name="faultreport_other_has_note"),
        ]
        indexes = [models.Index(fields=["meeting", "resolved_at"], name="faultreport_meeting_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.meeting_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class EvidencePack(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("รอจัดทำ")
        BUILDING = "building", _("กำลังจัดทำ")
        READY = "ready", _("พร้อมดาวน์โหลด")
        FAILED = "failed", _("จัดทำไม่สำเร็จ")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="evidence_packs",
                                verbose_name=_("การประชุม"))
    state = models.CharField(_("สถานะ"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("ผู้ขอ"))
    requested_at = models.DateTimeField(_("ขอเมื่อ"), db_default=Now())
    attempts = models.PositiveIntegerField(_("จำนวนครั้งที่จัดทำ"), default=0)
    lease_until = models.DateTimeField(_("งานปัจจุบันถือไว้ถึง"), null=True, blank=True)
    finished_at = models.DateTimeField(_("จัดทำเสร็จเมื่อ"), null=True, blank=True)
    # Relative to EVIDENCE_ROOT (outside the web root): "<meeting id>/<name>.zip".
    path = models.CharField(_("ไฟล์"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 ของไฟล์"), max_length=64, blank=True)
    file_count = models.PositiveIntegerField(_("จำนวนไฟล์ในชุดหลักฐาน"), null=True, blank=True)
    signer = models.CharField(_("ผู้ลงนาม (ใบรับรอง)"), max_length=300, blank=True)
    error = models.CharField(_("ข้อผิดพลาด"), max_length=500, blank=True)

    class Meta:
        ordering = ["meeting", "-requested_at", "-pk"]
        verbose_name = _("ชุดหลักฐานการประชุม")
        verbose_name_plural = _("ชุดหลักฐานการประชุม")
        constraints = [
            models.UniqueConstraint(fields=["meeting"], condition=models.Q(state__in=["requested", "building"]),
                                    name="evidencepack_one_in_flight"),
            models.CheckConstraint(condition=~models.Q(state="ready") | ~models.Q(path=""),
                                   name="evidencepack_ready_has_file"),
        ]
        indexes = [models.Index(fields=["state", "lease_until"], name="evidencepack_state_lease_idx")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.get_state_display()}"
